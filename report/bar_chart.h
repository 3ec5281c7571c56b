#pragma once
// Bar charts: one bar per category and series, grouped by category (e.g.
// accuracy per class for several models), y as a percentage by default, with
// an optional interval per bar drawn as a whisker. Category names that do not
// fit under their group are wrapped, then turned 45 degrees.
#include <string>
#include <vector>

#include "advgrad/report/figure.h"

namespace advgrad::report {

// One value per category; lo and hi are empty or one interval per category
// (lo <= value <= hi).
struct BarSeries {
  std::string name{};
  std::vector<double> values{};
  std::vector<double> lo{}, hi{};
};

struct BarChartOptions {
  std::string title{}, x_label{}, y_label{};
  double y_min = 0, y_max = 1;  // values outside are drawn at the edge
  bool y_percent = true;
  int width = 640, height = 420;  // CSS px, at least 200 x 150
};
// A legend above the plot names the series when there are two or more.
// Throws advgrad::Error naming bar_chart for no categories or series, a
// series with the wrong number of values or intervals, non-finite values, an
// empty y range, or a size too small for the labels.
Figure bar_chart(const std::vector<std::string>& categories, const std::vector<BarSeries>& series,
                 const BarChartOptions& options);

}  // namespace advgrad::report
