#pragma once
// The parts the charts and image grids share: type sizes, the checks of a
// chart's size and y range, axis ticks at round numbers, axis labels, names
// turned 45 degrees, whiskers, the series palette, and the colour bar that
// gives a heat map its scale.
#include <cstddef>
#include <numbers>
#include <string>
#include <vector>

#include "advgrad/report/figure.h"
#include "advgrad/report/raster.h"

namespace advgrad::report {

// Type sizes (px): a figure's title, its axis labels, and everything else
// (ticks, legends, captions) at the minimum.
inline constexpr double kTitleSize = 15, kAxisLabelSize = 13, kTextSize = kMinFontSize;
inline constexpr Color kGrid{228, 228, 228}, kFrame{150, 150, 150};

inline constexpr double kPad = 12;  // px between a figure's edge and its content

// Throws advgrad::Error naming `who` for a size outside 200x150 .. 16384x16384
// or a y range [y_min, y_max] that is empty or not finite.
void check_chart_frame(const char* who, int width, int height, double y_min, double y_max);

// The widest of `texts` at the body size (0 for none).
double widest_text(const std::vector<std::string>& texts);
// The baseline that centres a line of body text vertically on `mid`.
double centred_baseline(double mid);

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
// The y ticks of a chart `figure_height` px tall: one per 70 px or so, at least two.
Ticks y_axis_ticks(double lo, double hi, double figure_height);
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

// Axis titles (nothing for ""): the x label centred on centre_x with its
// baseline at `baseline`; the y label turned to read upwards at the figure's
// left edge, centred on centre_y.
void draw_x_label(Figure& figure, const std::string& x_label, double centre_x, double baseline);
void draw_y_label(Figure& figure, const std::string& y_label, double centre_y);

// Names under an axis, turned 45 degrees when flat ones would not fit: the name
// ends just under its tick at (x, top). turned_height is the height a turned
// name takes when it is `width` px wide flat.
inline constexpr double kCos45 = std::numbers::sqrt2 / 2;
void draw_turned_name(Figure& figure, const std::string& name, double x, double top);
double turned_height(double width);

// An interval as a whisker: a vertical line at x from y `lo` to `hi`, with caps
// `cap` px to either side at both ends.
void draw_whisker(Figure& figure, double x, double lo, double hi, double cap, Color color, double line_width);

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
