#pragma once
// Helpers of the figure tests: render a figure and decode it, count pixels,
// check its SVG, and keep it as DIR/<stem>.svg and .png when the environment
// variable ADVGRAD_FIGURE_DIR names a directory (to look at what the tests draw).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "advgrad/report/figure.h"
#include "advgrad/report/png_image.h"
#include "report/xml_check.h"

namespace advgrad::report::test {

inline void keep(const Figure& figure, const std::string& stem) {
  if (const char* dir = std::getenv("ADVGRAD_FIGURE_DIR")) write_figure(figure, dir, stem);
}

// The PNG at `scale`, decoded back: what a viewer of the .png sees.
inline Image render(const Figure& figure, double scale = 1) { return decode_png(figure.png(scale), "figure"); }

template <typename Pred>
int count_if_pixel(const Image& im, Pred pred, int x0 = 0, int y0 = 0, int x1 = -1, int y1 = -1) {
  if (x1 < 0) x1 = im.width();
  if (y1 < 0) y1 = im.height();
  int n = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) n += pred(im.at(x, y)) ? 1 : 0;
  return n;
}

inline bool ink(Rgb c) { return c.r < 160 && c.g < 160 && c.b < 160; }  // dark: text, axes
inline bool near(Rgb c, Rgb want, int tolerance = 12) {
  return std::abs(c.r - want.r) <= tolerance && std::abs(c.g - want.g) <= tolerance && std::abs(c.b - want.b) <= tolerance;
}

// The figure's SVG is well-formed XML, with unique ids that every reference finds.
inline void expect_valid_svg(const Figure& figure) {
  const std::string svg = figure.svg();
  EXPECT_EQ(advgrad::testing::xml_problem(svg), "");
  EXPECT_EQ(advgrad::testing::id_problem(svg), "");
}

}  // namespace advgrad::report::test
