#pragma once
// An 8-bit RGB canvas and PNG files (through libpng), for the figures the attack
// CLI and the reports write. Drawing clips silently (a label that runs off the
// edge is cut, not an error); reading a pixel out of range is a bug and throws.
#include <cstdint>
#include <string>
#include <vector>

namespace advgrad::report {

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
  friend bool operator==(const Rgb&, const Rgb&) = default;
};

class Image {  // 8-bit RGB canvas, row-major, 3 bytes per pixel
 public:
  Image() = default;
  // Throws advgrad::Error for negative sizes or more than 2^28 pixels.
  Image(int width, int height, Rgb background = {255, 255, 255});
  int width() const { return width_; }
  int height() const { return height_; }
  Rgb at(int x, int y) const;                 // throws advgrad::Error when out of range
  void set(int x, int y, Rgb c);              // silently clips outside the canvas
  void fill_rect(int x, int y, int w, int h, Rgb c);   // clipped
  // Bresenham line; thickness t paints a t x t square centred on each point. Clipped.
  void draw_line(int x0, int y0, int x1, int y1, Rgb c, int thickness = 1);
  void blit(const Image& src, int x, int y);  // copies src with its top-left at (x, y); clipped
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
// interlaced) to 8-bit RGB; alpha is composited over white. Corrupt or truncated
// data, or more than 2^28 pixels, throws advgrad::Error naming `what`.
Image decode_png(const std::string& bytes, const std::string& what);
Image read_png(const std::string& path);

}  // namespace advgrad::report
