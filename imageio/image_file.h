#pragma once
// Image files by content: the format is told by the first bytes (the magic
// number), never by the file name's extension.
#include <string>
#include <string_view>

#include "advgrad/imageio/image.h"

namespace advgrad::imageio {

enum class ImageFormat { Unknown, Png, Jpeg };

// PNG: the 8-byte signature 89 'P' 'N' 'G' 0D 0A 1A 0A. JPEG: the SOI marker
// FF D8 followed by the first byte of the next marker, FF.
ImageFormat sniff_format(std::string_view bytes);

// Decodes a PNG or JPEG (png_codec.h, jpeg_codec.h) chosen by sniff_format.
// Anything else throws advgrad::Error "decode_image '<what>': not a PNG or
// JPEG file (starts with ...)". `what` names the source in every error.
Image decode_image(const std::string& bytes, const std::string& what, Channels channels = Channels::Rgb);

// Reads the file at `path` and decodes it; errors name the path.
Image read_image(const std::string& path, Channels channels = Channels::Rgb);

}  // namespace advgrad::imageio
