#pragma once
// The parts the charts and image grids share: type sizes, axis ticks at round
// numbers, the series palette, and the colour bar that gives a heat map its
// scale.
#include <cstddef>
#include <string>

#include "advgrad/report/figure.h"
#include "advgrad/report/raster.h"

namespace advgrad::report {

// Type sizes (px): a figure's title, its axis labels, and everything else
// (ticks, legends, captions) at the minimum.
inline constexpr double kTitleSize = 15, kAxisLabelSize = 13, kTextSize = kMinFontSize;
inline constexpr Color kGrid{228, 228, 228}, kFrame{150, 150, 150};

inline constexpr double kPad = 12;  // px between a figure's edge and its content

// A figure's title: bold, centred, wrapped to the figure's width less the
// padding. title_height is the room it takes (with the gap below it; 0 for "").
double title_height(const std::string& title, double figure_width);
void draw_title(Figure& figure, const std::string& title);

// Ticks at multiples of 1, 2 or 5 x 10^k, about `target` of them over
// [lo, hi] (lo < hi, both finite), with enough decimals to tell them apart.
struct Ticks {
  double first = 0, step = 1;
  int count = 0, decimals = 0;
  double at(int i) const { return first + i * step; }
};
Ticks nice_ticks(double lo, double hi, int target = 5);
// v with `decimals` digits ("0.05"; never "-0.00"), and "%" after it when percent.
std::string tick_label(double v, int decimals, bool percent = false);

// The plot rectangle of a chart, in figure coordinates.
struct PlotArea {
  double left = 0, top = 0, right = 0, bottom = 0;
  double width() const { return right - left; }
  double height() const { return bottom - top; }
  double y_of(double v, double lo, double hi) const { return bottom - (v - lo) / (hi - lo) * height(); }
};
// The width the y tick labels, tick marks and the rotated y_label need left of the plot.
double y_axis_width(const Ticks& ticks, bool percent, const std::string& y_label);
// Grid lines across the plot, tick marks and labels at each tick in [lo, hi],
// the y label rotated at the figure's left edge, and the axis line itself.
void draw_y_axis(Figure& figure, const PlotArea& plot, const Ticks& ticks, double lo, double hi, bool percent,
                 const std::string& y_label);

// The k-th series colour: distinct, colour-blind-friendlier hues (the
// Okabe-Ito set), reused in order when there are more series.
Color series_color(std::size_t k);

// A vertical colour bar: the map from `lo` (bottom) to `hi` (top), ticked, with
// `label` beside it (rotated, wrapped to the bar's height).
struct ColorBar {
  ColorMap map = ColorMap::Heat;
  double lo = 0, hi = 1;
  std::string label{};
  bool percent = false;  // tick labels as percentages of 1
};
// The width the bar, its ticks and its label take at `height`.
double color_bar_width(const ColorBar& bar, double height);
// Draws it with the bar's top-left corner at (x, y). Throws advgrad::Error
// for lo >= hi, non-finite bounds, or a height below 60 px.
void draw_color_bar(Figure& figure, const ColorBar& bar, double x, double y, double height);

}  // namespace advgrad::report
