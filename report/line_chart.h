#pragma once
// Line charts: accuracy against eps, training curves. Axes with ticks at round
// numbers and a light grid, axis labels, a title, a legend placed where it
// covers no data (inside the plot if a corner is free, else below it), and an
// optional interval per point (a shaded band, or whiskers).
#include <string>
#include <vector>

#include "advgrad/report/figure.h"

namespace advgrad::report {

// One curve. x and y have the same number of values, at least one, all finite.
// y_lo and y_hi are empty, or an interval per point (e.g. a 95% confidence
// interval) with y_lo <= y <= y_hi.
struct ChartSeries {
  std::string name{};
  std::vector<double> x{}, y{};
  std::vector<double> y_lo{}, y_hi{};
};

enum class IntervalStyle { Band, Whiskers };

// The x range is the data's; the y range is [y_min, y_max] (values outside are
// drawn at the edge); with y_percent the y ticks read "50%" for 0.5.
struct ChartOptions {
  std::string title{}, x_label{}, y_label{};
  double y_min = 0, y_max = 1;
  bool y_percent = true;
  int width = 640, height = 420;  // CSS px, at least 200 x 150
  IntervalStyle intervals = IntervalStyle::Band;
};
// Throws advgrad::Error naming line_chart for no series, a series with
// mismatched or non-finite values, an empty y range, or a size too small for
// the labels.
Figure line_chart(const std::vector<ChartSeries>& series, const ChartOptions& options);

}  // namespace advgrad::report
