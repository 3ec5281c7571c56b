#pragma once
// PNG files through libpng, in memory.
#include <string>

#include "advgrad/imageio/image.h"

namespace advgrad::imageio {

// Decodes every PNG libpng reads: grey, grey+alpha, palette, RGB, RGBA, at
// 1 to 16 bits per sample, interlaced or not. 16-bit samples are scaled to 8
// bits with rounding (v * 255 / 65535); palettes are expanded. Alpha (an
// alpha channel or a tRNS chunk) is composited over white,
//   out = (c a + 255 (255 - a)) / 255, rounded,
// the page a transparent picture is shown on; the alpha itself is not kept.
// Gamma chunks are ignored (samples are taken as stored, as PIL does).
// A grey file gives 1 channel unless `channels` is Channels::Rgb.
// Corrupt or truncated data, or a size above the limits of image.h, throws
// advgrad::Error "decode_png '<what>': <libpng's reason>".
Image decode_png(const std::string& bytes, const std::string& what, Channels channels = Channels::Rgb);

// The PNG file (8-bit grey or RGB by image.channels, not interlaced) as bytes.
// Throws advgrad::Error for an empty image or inconsistent sizes.
std::string encode_png(const Image& image);

}  // namespace advgrad::imageio
