#pragma once
// A figure: a drawing of width x height CSS pixels, recorded once with Cairo
// (a recording surface) and rendered two ways, as an SVG document (vector, for
// the HTML report) and as PNG bytes (for Markdown, forges and image viewers).
// Text is set in DejaVu Sans, never smaller than 12 px, and measured with the
// same font before it is drawn, so that layouts can keep labels apart.
//
// This header names no Cairo type: Cairo is a private dependency of
// advgrad::workshop, and only figure.cpp includes it. Coordinates are CSS
// pixels, origin at the top-left, y down. Every function checks its inputs and
// throws advgrad::Error naming itself.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "advgrad/report/png_image.h"

namespace advgrad::report {

struct Color {
  std::uint8_t r = 0, g = 0, b = 0;
  double alpha = 1;  // 0 (transparent) .. 1 (opaque)
  constexpr Color() = default;
  constexpr Color(std::uint8_t red, std::uint8_t green, std::uint8_t blue, double a = 1)
      : r(red), g(green), b(blue), alpha(a) {}
  constexpr Color(Rgb c, double a = 1) : r(c.r), g(c.g), b(c.b), alpha(a) {}  // implicit: an Rgb is a Color
  friend bool operator==(const Color&, const Color&) = default;
};

// The colours every figure uses for text: body text, secondary text, and the
// two verdicts of a caption (a wrong prediction, a prediction that held).
inline constexpr Color kInk{25, 25, 25}, kMuted{95, 95, 95}, kWrong{200, 30, 30}, kRight{20, 130, 50};

inline constexpr double kMinFontSize = 12;  // px: the smallest text any figure draws

enum class Align { Left, Center, Right };  // where the anchor point is on the text's line
struct TextStyle {
  double size = kMinFontSize;  // px, at least kMinFontSize
  bool bold = false;
  Color color = kInk;
  Align align = Align::Left;
  double angle = 0;  // degrees, counter-clockwise about the anchor (90: reads bottom to top)
};

// The advance width of `text` and the font's ascent and descent (the same for
// every string, so that lines of one size share a baseline spacing).
struct TextExtents {
  double width = 0, ascent = 0, descent = 0;
  double height() const { return ascent + descent; }
};
// Throws for a size below kMinFontSize or text that is not valid UTF-8.
TextExtents measure_text(std::string_view text, double size = kMinFontSize, bool bold = false);
// Greedy word wrap at spaces into lines no wider than max_width; a single word
// wider than that stays whole on its own line (the caller sees its width).
std::vector<std::string> wrap_text(std::string_view text, double max_width, double size = kMinFontSize,
                                   bool bold = false);

struct Point {
  double x = 0, y = 0;
};

class Figure {
 public:
  // A white page of width x height CSS pixels, each in [1, 16384].
  Figure(double width, double height);
  Figure(Figure&&) noexcept;
  Figure& operator=(Figure&&) noexcept;
  ~Figure();
  double width() const { return width_; }
  double height() const { return height_; }

  void fill_rect(double x, double y, double w, double h, Color fill);
  void stroke_rect(double x, double y, double w, double h, Color stroke, double line_width = 1);
  void line(Point a, Point b, Color stroke, double line_width = 1);
  void polyline(const std::vector<Point>& points, Color stroke, double line_width = 1);  // >= 2 points
  void fill_polygon(const std::vector<Point>& points, Color fill);                       // >= 3 points
  void circle(Point centre, double radius, Color fill);
  // `text` on the baseline through `anchor` (see TextStyle::align and angle).
  void text(Point anchor, std::string_view text, const TextStyle& style = {});
  // An RGB raster stretched over the rectangle (x, y, w, h) with nearest-
  // neighbour sampling: every image pixel stays a sharp block, in the PNG and
  // in any SVG viewer (the image is stored enlarged by whole pixels, so a
  // viewer that smooths still shows blocks).
  void pixels(const Image& image, double x, double y, double w, double h);

  // A standalone SVG document (UTF-8 XML, sizes in px, a viewBox, glyphs as
  // paths, rasters as PNG data URIs). Its ids are numbered in order ("c1", ...),
  // so the same drawing gives the same text.
  std::string svg() const;
  // PNG bytes (8-bit RGB) at `scale` device pixels per CSS pixel, in (0, 16].
  std::string png(double scale = 2) const;

 private:
  struct Recording;  // the Cairo recording surface and its context
  double width_ = 0, height_ = 0;
  std::unique_ptr<Recording> rec_;
};

// Writes DIR/STEM.svg and DIR/STEM.png (at scale 2), each atomically through
// io::write_file_atomically; both are rendered before either is written.
void write_figure(const Figure& figure, const std::string& dir, const std::string& stem);

// Renames every id of an SVG document to `prefix` followed by its ordinal
// (1, 2, ... in order of first appearance) and rewrites the references to it
// (href="#id", xlink:href="#id", url(#id)). Cairo names glyphs "glyph0-1" in
// every document, so two SVGs inlined in one HTML page need distinct prefixes
// or the browser draws one figure's glyphs in the other. `prefix` must start
// with a letter and hold only letters, digits, '-' and '_'.
std::string rename_svg_ids(std::string_view svg, std::string_view prefix);

}  // namespace advgrad::report
