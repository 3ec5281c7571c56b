#include "advgrad/report/png_image.h"

#include "advgrad/core/error.h"
#include "advgrad/data/dataset.h"
#include "advgrad/imageio/png_codec.h"
#include "advgrad/io/atomic_file.h"

namespace advgrad::report {
namespace {

// Caps what a hostile header can make us allocate (16384 x 16384 pixels).
constexpr std::int64_t kMaxPixels = std::int64_t{1} << 28;

}  // namespace

// ---- the raster -------------------------------------------------------------------

Image::Image(int width, int height, Rgb background) {
  ADVGRAD_CHECK(width >= 0 && height >= 0 && std::int64_t{width} * height <= kMaxPixels, "Image: size ", width,
                "x", height, " is negative or above 2^28 pixels");
  width_ = width;
  height_ = height;
  pixels_.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3);
  for (std::size_t i = 0; i < pixels_.size(); i += 3) {
    pixels_[i] = background.r;
    pixels_[i + 1] = background.g;
    pixels_[i + 2] = background.b;
  }
}

Rgb Image::at(int x, int y) const {
  ADVGRAD_CHECK(x >= 0 && y >= 0 && x < width_ && y < height_, "Image::at: pixel (", x, ", ", y,
                ") is outside the ", width_, "x", height_, " image");
  const std::uint8_t* p = &pixels_[(static_cast<std::size_t>(y) * width_ + x) * 3];
  return {p[0], p[1], p[2]};
}

Image Image::from_rgb(int width, int height, std::vector<std::uint8_t> rgb) {
  Image out(width, height);  // checks the size
  ADVGRAD_CHECK(rgb.size() == out.pixels_.size(), "Image::from_rgb: ", rgb.size(), " bytes for ", width, "x", height,
                " RGB pixels; expected ", out.pixels_.size());
  out.pixels_ = std::move(rgb);
  return out;
}

void Image::set(int x, int y, Rgb c) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_) return;
  std::uint8_t* p = &pixels_[(static_cast<std::size_t>(y) * width_ + x) * 3];
  p[0] = c.r;
  p[1] = c.g;
  p[2] = c.b;
}

// ---- PNG files: imageio's codec, on RGB rasters ------------------------------------

std::string encode_png(const Image& image) {
  return imageio::encode_png({image.width(), image.height(), 3, image.rgb()});
}

void write_png(const std::string& path, const Image& image) {
  std::string bytes;
  try {
    bytes = encode_png(image);
  } catch (const Error& e) {
    detail::fail("write_png '", path, "': ", e.what());
  }
  io::write_file_atomically(path, bytes);  // its errors name the path
}

Image decode_png(const std::string& bytes, const std::string& what) {
  imageio::Image decoded = imageio::decode_png(bytes, what, imageio::Channels::Rgb);
  return Image::from_rgb(decoded.width, decoded.height, std::move(decoded.pixels));
}

Image read_png(const std::string& path) {
  // read_maybe_gzip reads a plain file as it is (a PNG never starts with the gzip magic).
  return decode_png(data::read_maybe_gzip(path), path);
}

}  // namespace advgrad::report
