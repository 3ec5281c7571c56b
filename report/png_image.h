#pragma once
// 8-bit RGB rasters and PNG files (through imageio/png_codec.h, libpng):
// decoding any PNG (figures read back), encoding raw RGB images. Figures are drawn with Cairo
// (figure.h); an Image is what a figure draws pixel for pixel
// (Figure::pixels). Writing outside the raster clips silently; reading a pixel
// out of range is a bug and throws.
#include <cstdint>
#include <string>
#include <vector>

namespace advgrad::report {

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
  friend bool operator==(const Rgb&, const Rgb&) = default;
};

class Image {  // 8-bit RGB, row-major, 3 bytes per pixel
 public:
  Image() = default;
  // Throws advgrad::Error for negative sizes or more than 2^28 pixels.
  Image(int width, int height, Rgb background = {255, 255, 255});
  // Takes width * height * 3 bytes, row-major RGB; throws advgrad::Error otherwise.
  static Image from_rgb(int width, int height, std::vector<std::uint8_t> rgb);
  int width() const { return width_; }
  int height() const { return height_; }
  Rgb at(int x, int y) const;                 // throws advgrad::Error when out of range
  void set(int x, int y, Rgb c);              // silently clips outside the image
  const std::vector<std::uint8_t>& rgb() const { return pixels_; }

 private:
  int width_ = 0, height_ = 0;
  std::vector<std::uint8_t> pixels_;
};

// The PNG file (8-bit RGB, not interlaced) as bytes.
std::string encode_png(const Image& image);
// Encodes and writes atomically (temp file + rename via io::write_file_atomically):
// the target is replaced only when the whole file was written. Throws
// advgrad::Error naming the path on failure.
void write_png(const std::string& path, const Image& image);
// Decodes any PNG libpng reads (grey, grey+alpha, palette, RGB, RGBA; 1-16 bit;
// interlaced) to 8-bit RGB; alpha is composited over white
// (imageio::decode_png). Corrupt or truncated data, or a size above
// imageio's limits, throws advgrad::Error naming `what`.
Image decode_png(const std::string& bytes, const std::string& what);
Image read_png(const std::string& path);

}  // namespace advgrad::report
