#include "advgrad/imageio/image_file.h"

#include <cstdio>

#include "advgrad/core/error.h"
#include "advgrad/data/dataset.h"
#include "advgrad/imageio/jpeg_codec.h"
#include "advgrad/imageio/png_codec.h"

namespace advgrad::imageio {
namespace {

// The first bytes in hex, for an error message that shows what the file is.
std::string leading_hex(std::string_view bytes) {
  if (bytes.empty()) return "nothing: the data is empty";
  char buf[8 * 3 + 1] = {};  // "xx xx ... xx": 3 characters a byte, with the NUL
  for (std::size_t i = 0; i < bytes.size() && i < 8; ++i)
    std::snprintf(buf + 3 * i, 4, "%02x ", static_cast<unsigned char>(bytes[i]));
  std::string out = buf;
  out.pop_back();  // the last space
  return out;
}

}  // namespace

ImageFormat sniff_format(std::string_view bytes) {
  constexpr std::string_view png_signature("\x89PNG\r\n\x1a\n", 8);
  constexpr std::string_view jpeg_soi("\xff\xd8\xff", 3);
  if (bytes.starts_with(png_signature)) return ImageFormat::Png;
  if (bytes.starts_with(jpeg_soi)) return ImageFormat::Jpeg;
  return ImageFormat::Unknown;
}

Image decode_image(const std::string& bytes, const std::string& what, Channels channels) {
  switch (sniff_format(bytes)) {
    case ImageFormat::Png:
      return decode_png(bytes, what, channels);
    case ImageFormat::Jpeg:
      return decode_jpeg(bytes, what, channels);
    case ImageFormat::Unknown:
      break;
  }
  detail::fail("decode_image '", what, "': not a PNG or JPEG file (starts with ", leading_hex(bytes), ")");
}

Image read_image(const std::string& path, Channels channels) {
  // read_maybe_gzip reads a plain file as it is (neither format starts with the gzip magic).
  return decode_image(data::read_maybe_gzip(path), path, channels);
}

}  // namespace advgrad::imageio
