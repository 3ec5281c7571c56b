#include "advgrad/report/heat_map.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "advgrad/core/error.h"
#include "advgrad/report/chart_parts.h"

namespace advgrad::report {
namespace {

const double kCos45 = std::numbers::sqrt2 / 2;

std::string cell_text(double v, const HeatMapOptions& o) { return tick_label(v, o.decimals + (o.percent ? 2 : 0), o.percent); }

// Dark cells get white numbers (relative luminance of the sRGB colour, roughly).
Color ink_on(Rgb c) { return 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b < 140 ? Color(255, 255, 255) : kInk; }

}  // namespace

Figure heat_map(const std::vector<std::vector<double>>& values, const std::vector<std::string>& row_names,
                const std::vector<std::string>& column_names, const HeatMapOptions& o) {
  const char* who = "heat_map";
  ADVGRAD_CHECK(!values.empty() && !values[0].empty(), who, ": the matrix is empty");
  const std::size_t rows = values.size(), cols = values[0].size();
  for (std::size_t r = 0; r < rows; ++r) {
    ADVGRAD_CHECK(values[r].size() == cols, who, ": row ", r, " has ", values[r].size(), " values, row 0 has ", cols);
    for (double v : values[r]) ADVGRAD_CHECK(std::isfinite(v), who, ": non-finite value ", v, " in row ", r);
  }
  ADVGRAD_CHECK(row_names.size() == rows && column_names.size() == cols, who, ": ", row_names.size(), " row and ",
                column_names.size(), " column names for a ", rows, "x", cols, " matrix");
  ADVGRAD_CHECK(o.decimals >= 0 && o.decimals <= 6, who, ": decimals must be in [0, 6], got ", o.decimals);
  ADVGRAD_CHECK(std::isfinite(o.cell) && o.cell >= 0 && o.cell <= 400, who, ": cell size ", o.cell,
                " is outside [0, 400]");
  double lo = o.lo, hi = o.hi;
  ADVGRAD_CHECK(std::isfinite(lo) && std::isfinite(hi) && lo <= hi, who, ": colour scale [", lo, ", ", hi,
                "] is not a range");
  if (lo == hi) {
    lo = INFINITY, hi = -INFINITY;
    for (const auto& row : values)
      for (double v : row) lo = std::min(lo, v), hi = std::max(hi, v);
    if (hi - lo <= 1e-12 * std::max(1.0, std::fabs(hi))) hi = lo + 1;  // a constant matrix: one colour, a valid bar
  }

  const TextExtents text = measure_text(""), label = measure_text("", kAxisLabelSize);
  double number_w = 0, row_w = 0, col_w = 0;
  for (const auto& row : values)
    for (double v : row) number_w = std::max(number_w, measure_text(cell_text(v, o)).width);
  for (const auto& n : row_names) row_w = std::max(row_w, measure_text(n).width);
  for (const auto& n : column_names) col_w = std::max(col_w, measure_text(n).width);
  const double cell = o.cell > 0 ? o.cell : std::max(36.0, number_w + 10);
  ADVGRAD_CHECK(cell >= text.height(), who, ": cell size ", cell, " is below the text height ", text.height());
  const bool turned = col_w > cell - 4;  // column names under the matrix, flat or at 45 degrees
  const double names_h = turned ? (col_w + text.height()) * kCos45 : text.height();

  // Layout, left to right: y label, row names, matrix, colour bar; top to
  // bottom: title, matrix, column names, x label.
  const double grid_w = cell * static_cast<double>(cols), grid_h = cell * static_cast<double>(rows);
  const ColorBar bar{o.map, lo, hi, o.scale_label, o.percent};
  const double bar_h = std::max(grid_h, 80.0);
  const double left = kPad + (o.y_label.empty() ? 0 : label.height() + 6) + row_w + 6;
  // The first column's turned name reaches left of the matrix.
  const double turn_reach = turned ? std::max(0.0, (col_w + text.ascent) * kCos45 - cell / 2 - row_w - 6) : 0;
  const double x0 = left + turn_reach;
  const double bar_x = x0 + grid_w + 16;
  double width = bar_x + color_bar_width(bar, bar_h) + kPad;
  const double title_h = title_height(o.title, std::max(width, 200.0));
  width = std::max(width, 200.0);
  const double y0 = kPad + title_h + 4;
  const double height =
      std::max(y0 + grid_h, y0 + bar_h) + 6 + names_h + (o.x_label.empty() ? 0 : 6 + label.height()) + kPad;

  Figure f(width, height);
  draw_title(f, o.title);
  for (std::size_t r = 0; r < rows; ++r) {
    const double y = y0 + static_cast<double>(r) * cell;
    f.text({x0 - 6, y + cell / 2 + (text.ascent - text.descent) / 2}, row_names[r], {.align = Align::Right});
    for (std::size_t c = 0; c < cols; ++c) {
      const double x = x0 + static_cast<double>(c) * cell, v = values[r][c];
      const Rgb fill = map_color(o.map, (v - lo) / (hi - lo));
      f.fill_rect(x, y, cell, cell, fill);
      f.text({x + cell / 2, y + cell / 2 + (text.ascent - text.descent) / 2}, cell_text(v, o),
             {.color = ink_on(fill), .align = Align::Center});
    }
  }
  f.stroke_rect(x0, y0, grid_w, grid_h, kFrame, 1);
  for (std::size_t c = 0; c < cols; ++c) {
    const double cx = x0 + (static_cast<double>(c) + 0.5) * cell;
    if (turned)
      f.text({cx + text.ascent * kCos45 / 2, y0 + grid_h + 6 + text.ascent * kCos45}, column_names[c],
             {.align = Align::Right, .angle = 45});
    else
      f.text({cx, y0 + grid_h + 6 + text.ascent}, column_names[c], {.align = Align::Center});
  }
  if (!o.y_label.empty())
    f.text({kPad + label.ascent, y0 + grid_h / 2}, o.y_label, {.size = kAxisLabelSize, .align = Align::Center, .angle = 90});
  if (!o.x_label.empty())
    f.text({x0 + grid_w / 2, y0 + grid_h + 6 + names_h + 6 + label.ascent}, o.x_label,
           {.size = kAxisLabelSize, .align = Align::Center});
  draw_color_bar(f, bar, bar_x, y0, bar_h);
  return f;
}

Figure confusion_matrix(const std::vector<std::vector<std::int64_t>>& counts,
                        const std::vector<std::string>& class_names, const std::string& title) {
  const char* who = "confusion_matrix";
  const std::size_t k = class_names.size();
  ADVGRAD_CHECK(k >= 1 && counts.size() == k, who, ": ", counts.size(), " rows of counts for ", k, " class names");
  std::vector<std::vector<double>> values(k);
  double most = 0;
  for (std::size_t r = 0; r < k; ++r) {
    ADVGRAD_CHECK(counts[r].size() == k, who, ": row ", r, " has ", counts[r].size(), " counts for ", k, " classes");
    for (std::int64_t c : counts[r]) {
      ADVGRAD_CHECK(c >= 0, who, ": negative count ", c, " in row ", r);
      values[r].push_back(static_cast<double>(c));
      most = std::max(most, static_cast<double>(c));
    }
  }
  HeatMapOptions o;
  o.title = title;
  o.x_label = "predicted class";
  o.y_label = "true class";
  o.scale_label = "images";
  o.lo = 0;
  o.hi = std::max(most, 1.0);
  return heat_map(values, class_names, class_names, o);
}

}  // namespace advgrad::report
