#include "advgrad/report/heat_map.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "advgrad/core/error.h"
#include "advgrad/report/chart_parts.h"

namespace advgrad::report {
namespace {

std::string cell_text(double v, const HeatMapOptions& o) { return tick_label(v, o.decimals + (o.percent ? 2 : 0), o.percent); }

// Dark cells get white numbers (relative luminance of the sRGB colour, roughly).
Color ink_on(Rgb c) { return 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b < 140 ? Color(255, 255, 255) : kInk; }

void check_matrix(const std::vector<std::vector<double>>& values, const std::vector<std::string>& row_names,
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
  ADVGRAD_CHECK(std::isfinite(o.lo) && std::isfinite(o.hi) && o.lo <= o.hi, who, ": colour scale [", o.lo, ", ", o.hi,
                "] is not a range");
}

// The colour scale: the options' [lo, hi], or the data's min and max when lo == hi.
ColorBar color_scale(const std::vector<std::vector<double>>& values, const HeatMapOptions& o) {
  double lo = o.lo, hi = o.hi;
  if (lo == hi) {
    lo = INFINITY, hi = -INFINITY;
    for (const auto& row : values)
      for (double v : row) lo = std::min(lo, v), hi = std::max(hi, v);
    if (hi - lo <= 1e-12 * std::max(1.0, std::fabs(hi))) hi = lo + 1;  // a constant matrix: one colour, a valid bar
  }
  return {o.map, lo, hi, o.scale_label, o.percent};
}

// The side of a cell: the options', or wide enough for every cell's number.
double cell_side(const std::vector<std::vector<double>>& values, const HeatMapOptions& o) {
  double number_w = 0;
  for (const auto& row : values)
    for (double v : row) number_w = std::max(number_w, measure_text(cell_text(v, o)).width);
  const double cell = o.cell > 0 ? o.cell : std::max(36.0, number_w + 10);
  const double text_h = measure_text("").height();
  ADVGRAD_CHECK(cell >= text_h, "heat_map: cell size ", cell, " is below the text height ", text_h);
  return cell;
}

// Left to right: y label, row names, matrix (its top-left corner at x0, y0),
// colour bar; top to bottom: title, matrix, column names, x label.
struct Layout {
  double cell = 0, x0 = 0, y0 = 0, grid_w = 0, grid_h = 0;
  bool turned = false;  // column names at 45 degrees, as they are wider than a cell
  double names_h = 0, bar_x = 0, bar_h = 0, width = 0, height = 0;
};
Layout layout(const std::vector<std::vector<double>>& values, const std::vector<std::string>& row_names,
              const std::vector<std::string>& column_names, const HeatMapOptions& o, const ColorBar& bar) {
  const TextExtents text = measure_text(""), label = measure_text("", kAxisLabelSize);
  const double row_w = widest_text(row_names), col_w = widest_text(column_names);
  Layout l;
  l.cell = cell_side(values, o);
  l.turned = col_w > l.cell - 4;
  l.names_h = l.turned ? turned_height(col_w) : text.height();
  l.grid_w = l.cell * static_cast<double>(values[0].size()), l.grid_h = l.cell * static_cast<double>(values.size());
  l.bar_h = std::max(l.grid_h, 80.0);
  const double left = kPad + (o.y_label.empty() ? 0 : label.height() + 6) + row_w + 6;
  // The first column's turned name reaches left of the matrix.
  const double turn_reach = l.turned ? std::max(0.0, (col_w + text.ascent) * kCos45 - l.cell / 2 - row_w - 6) : 0;
  l.x0 = left + turn_reach;
  l.bar_x = l.x0 + l.grid_w + 16;
  l.width = std::max(l.bar_x + color_bar_width(bar, l.bar_h) + kPad, 200.0);
  l.y0 = kPad + title_height(o.title, l.width) + 4;
  l.height = std::max(l.y0 + l.grid_h, l.y0 + l.bar_h) + 6 + l.names_h + (o.x_label.empty() ? 0 : 6 + label.height()) +
             kPad;
  return l;
}

// Row by row: the row's name, then its cells in the colour of their values,
// each with its number on it.
void draw_cells(Figure& f, const std::vector<std::vector<double>>& values, const std::vector<std::string>& row_names,
                const Layout& l, const ColorBar& bar, const HeatMapOptions& o) {
  for (std::size_t r = 0; r < values.size(); ++r) {
    const double y = l.y0 + static_cast<double>(r) * l.cell;
    f.text({l.x0 - 6, centred_baseline(y + l.cell / 2)}, row_names[r], {.align = Align::Right});
    for (std::size_t c = 0; c < values[r].size(); ++c) {
      const double x = l.x0 + static_cast<double>(c) * l.cell, v = values[r][c];
      const Rgb fill = map_color(bar.map, (v - bar.lo) / (bar.hi - bar.lo));
      f.fill_rect(x, y, l.cell, l.cell, fill);
      f.text({x + l.cell / 2, centred_baseline(y + l.cell / 2)}, cell_text(v, o),
             {.color = ink_on(fill), .align = Align::Center});
    }
  }
}

void draw_column_names(Figure& f, const std::vector<std::string>& column_names, const Layout& l) {
  const double top = l.y0 + l.grid_h, ascent = measure_text("").ascent;
  for (std::size_t c = 0; c < column_names.size(); ++c) {
    const double cx = l.x0 + (static_cast<double>(c) + 0.5) * l.cell;
    if (l.turned)
      draw_turned_name(f, column_names[c], cx, top);
    else
      f.text({cx, top + 6 + ascent}, column_names[c], {.align = Align::Center});
  }
}

}  // namespace

Figure heat_map(const std::vector<std::vector<double>>& values, const std::vector<std::string>& row_names,
                const std::vector<std::string>& column_names, const HeatMapOptions& o) {
  check_matrix(values, row_names, column_names, o);
  const ColorBar bar = color_scale(values, o);
  const Layout l = layout(values, row_names, column_names, o, bar);

  Figure f(l.width, l.height);
  draw_title(f, o.title);
  draw_cells(f, values, row_names, l, bar, o);
  f.stroke_rect(l.x0, l.y0, l.grid_w, l.grid_h, kFrame, 1);
  draw_column_names(f, column_names, l);
  draw_y_label(f, o.y_label, l.y0 + l.grid_h / 2);
  draw_x_label(f, o.x_label, l.x0 + l.grid_w / 2,
               l.y0 + l.grid_h + 6 + l.names_h + 6 + measure_text("", kAxisLabelSize).ascent);
  draw_color_bar(f, bar, l.bar_x, l.y0, l.bar_h);
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
