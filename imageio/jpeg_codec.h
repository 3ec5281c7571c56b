#pragma once
// JPEG files through libjpeg(-turbo), in memory.
#include <string>

#include "advgrad/imageio/image.h"

namespace advgrad::imageio {

// Decodes baseline and progressive JPEGs, grey or colour (YCbCr or RGB), to
// 8-bit samples with libjpeg's default (accurate integer) IDCT and fancy
// upsampling, as PIL and torchvision do. A grey file gives 1 channel unless
// `channels` is Channels::Rgb. CMYK/YCCK files are refused.
//
// Errors: libjpeg ends the process on an error by default; here every error
// *and every warning* throws advgrad::Error "decode_jpeg '<what>': <reason>".
// Warnings matter: on truncated data libjpeg only warns ("Premature end of
// JPEG file") and fills the rest with grey, and corrupt entropy-coded data
// also just warns; both are failures here, never silently altered pixels.
// The size is checked against image.h's limits before any pixel buffer is
// allocated, and a progressive file may have at most 1000 scans.
Image decode_jpeg(const std::string& bytes, const std::string& what, Channels channels = Channels::Rgb);

}  // namespace advgrad::imageio
