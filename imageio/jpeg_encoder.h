#pragma once
// JPEG encoding through libjpeg(-turbo), in memory: what the "JPEG
// compression" corruption of ImageNet-C (eval/photo_corruptions.h) needs.
#include <string>
#include <vector>

#include "advgrad/data/image_ops.h"
#include "advgrad/imageio/image.h"

namespace advgrad::imageio {

// Baseline JPEG bytes of an 8-bit grey (1 channel) or RGB (3 channels) image
// at `quality` 1..100, with libjpeg's defaults otherwise: the standard
// (Annex K) quantisation tables scaled by the quality (50: as printed; q < 50:
// times 50 / q; q > 50: times 2 - q / 50), YCbCr with 2 x 2 chroma subsampling
// (4:2:0) for colour, Huffman tables of the standard, the accurate integer
// DCT -- what PIL's Image.save(..., quality=q) writes. Throws advgrad::Error
// "encode_jpeg: ..." for a bad quality, size or channel count.
std::string encode_jpeg(const Image& image, int quality);

// A float image [C, H, W] in [0, 1] (C = 1 or 3) through a JPEG at `quality`
// and back: rounded to 8 bits, encode_jpeg, decode_jpeg, / 255. The lossy
// part is the quantisation of each 8 x 8 block's DCT coefficients (and the
// halved chroma resolution), so blocks and ringing appear as quality drops.
// Its signature is eval::JpegRoundTrip's (eval/photo_corruptions.h).
std::vector<float> jpeg_round_trip(const float* image, const data::ImageShape& s, int quality);

}  // namespace advgrad::imageio
