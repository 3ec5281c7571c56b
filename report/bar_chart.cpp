#include "advgrad/report/bar_chart.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "advgrad/core/error.h"
#include "advgrad/report/chart_parts.h"

namespace advgrad::report {
namespace {

constexpr double kSquare = 12;  // a legend swatch

void check_bars(const std::vector<std::string>& categories, const std::vector<BarSeries>& series,
                const BarChartOptions& o) {
  const char* who = "bar_chart";
  ADVGRAD_CHECK(!categories.empty(), who, ": no categories");
  ADVGRAD_CHECK(!series.empty(), who, ": no series to draw");
  check_chart_frame(who, o.width, o.height, o.y_min, o.y_max);
  const std::size_t n = categories.size();
  for (const BarSeries& s : series) {
    ADVGRAD_CHECK(s.values.size() == n, who, ": series '", s.name, "' has ", s.values.size(), " values for ", n,
                  " categories");
    const bool interval = !s.lo.empty() || !s.hi.empty();
    ADVGRAD_CHECK(!interval || (s.lo.size() == n && s.hi.size() == n), who, ": series '", s.name, "' has ",
                  s.lo.size(), " lo and ", s.hi.size(), " hi values for ", n, " categories (need none or one each)");
    for (std::size_t i = 0; i < n; ++i) {
      ADVGRAD_CHECK(std::isfinite(s.values[i]), who, ": series '", s.name, "' has a non-finite value at '",
                    categories[i], "'");
      if (interval)
        ADVGRAD_CHECK(std::isfinite(s.lo[i]) && std::isfinite(s.hi[i]) && s.lo[i] <= s.values[i] &&
                          s.values[i] <= s.hi[i],
                      who, ": series '", s.name, "' at '", categories[i], "': interval [", s.lo[i], ", ", s.hi[i],
                      "] does not hold the value ", s.values[i]);
    }
  }
}

enum class LabelMode { Flat, Wrapped, Turned };

// How the category names fit under slots of `slot` px: on one line, wrapped
// onto at most two, or turned 45 degrees.
LabelMode label_mode(const std::vector<std::string>& categories, double slot) {
  const double room = slot - 6;
  bool flat = true, wrapped = true;
  for (const std::string& c : categories) {
    if (measure_text(c).width <= room) continue;
    flat = false;
    if (room <= 0) {
      wrapped = false;
      continue;
    }
    const auto lines = wrap_text(c, room);
    wrapped = wrapped && lines.size() <= 2 &&
              std::all_of(lines.begin(), lines.end(), [&](const std::string& l) { return measure_text(l).width <= room; });
  }
  return flat ? LabelMode::Flat : wrapped ? LabelMode::Wrapped : LabelMode::Turned;
}

// The legend (two or more series) in rows of at most `width` px under the
// title: each entry's x offset and row, the rows' count and their width.
struct Legend {
  std::vector<double> x;
  std::vector<int> row;
  int rows = 0;
  double width = 0;
};
Legend flow_legend(const std::vector<BarSeries>& series, double width) {
  Legend l;
  if (series.size() < 2) return l;
  double at = 0;
  l.rows = 1;
  for (const BarSeries& s : series) {
    const double w = kSquare + 6 + measure_text(s.name).width;
    if (at > 0 && at + w > width) at = 0, ++l.rows;
    l.x.push_back(at);
    l.row.push_back(l.rows - 1);
    l.width = std::max(l.width, at + w);
    at += w + 18;
  }
  return l;
}

// Turned names hang down and to the left of their slot's centre: widen the
// left margin until the first ones fit (twice: widening narrows the slots).
void widen_for_turned_names(const std::vector<std::string>& categories, PlotArea& plot) {
  const double ascent = measure_text("").ascent;
  const std::size_t n = categories.size();
  for (int pass = 0; pass < 2; ++pass) {
    const double slot = plot.width() / static_cast<double>(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double reach = measure_text(categories[i]).width * kCos45 + ascent * kCos45;
      plot.left = std::max(plot.left, kPad + reach - (static_cast<double>(i) + 0.5) * slot);
    }
  }
}

// The plot under the title and legend, right of the y axis, above the category
// names (laid out flat, wrapped or turned, names_h tall) and the x label.
struct Layout {
  double legend_top = 0;
  PlotArea plot;
  LabelMode mode = LabelMode::Flat;
  double names_h = 0;
};
Layout layout(const std::vector<std::string>& categories, const BarChartOptions& o, const Ticks& yt, int legend_rows) {
  const double W = o.width, H = o.height;
  const TextExtents text = measure_text(""), label = measure_text("", kAxisLabelSize);
  Layout l;
  l.legend_top = kPad + title_height(o.title, W);
  l.plot.top = l.legend_top + legend_rows * (text.height() + 4) + (legend_rows > 0 ? 6 : 0) + text.height() / 2;
  l.plot.left = kPad + y_axis_width(yt, o.y_percent, o.y_label);
  l.plot.right = W - kPad;
  l.mode = label_mode(categories, l.plot.width() / static_cast<double>(categories.size()));
  l.names_h = (l.mode == LabelMode::Wrapped ? 2 : 1) * text.height();
  if (l.mode == LabelMode::Turned) {
    widen_for_turned_names(categories, l.plot);
    l.names_h = turned_height(widest_text(categories));
  }
  l.plot.bottom = H - kPad - (o.x_label.empty() ? 0 : label.height() + 6) - l.names_h - 8;
  return l;
}

void draw_legend(Figure& f, const std::vector<BarSeries>& series, const Legend& legend, double top) {
  const double text_h = measure_text("").height(), line = text_h + 4;
  const double x0 = std::max(kPad, (f.width() - legend.width) / 2);
  for (std::size_t k = 0; k < legend.x.size(); ++k) {
    const double mid = top + legend.row[k] * line + text_h / 2;
    f.fill_rect(x0 + legend.x[k], mid - kSquare / 2, kSquare, kSquare, series_color(k));
    f.text({x0 + legend.x[k] + kSquare + 6, centred_baseline(mid)}, series[k].name);
  }
}

// Per category a group of bars, one per series, across 80% of its slot. Bars
// grow from zero (or the nearest edge of the y range); intervals are whiskers.
void draw_bars(Figure& f, const std::vector<BarSeries>& series, std::size_t n, const PlotArea& plot,
               const BarChartOptions& o) {
  auto py = [&](double v) { return plot.y_of(std::clamp(v, o.y_min, o.y_max), o.y_min, o.y_max); };
  const double slot = plot.width() / static_cast<double>(n);
  const double base = py(std::clamp(0.0, o.y_min, o.y_max));
  const double group = 0.8 * slot, bar = group / static_cast<double>(series.size());
  for (std::size_t i = 0; i < n; ++i) {
    const double x0 = plot.left + static_cast<double>(i) * slot + (slot - group) / 2;
    for (std::size_t k = 0; k < series.size(); ++k) {
      const BarSeries& s = series[k];
      const double x = x0 + static_cast<double>(k) * bar, y = py(s.values[i]);
      f.fill_rect(x + 0.5, std::min(y, base), std::max(bar - 1, 1.0), std::fabs(base - y), series_color(k));
      if (!s.lo.empty()) draw_whisker(f, x + bar / 2, py(s.lo[i]), py(s.hi[i]), std::min(4.0, bar / 3), kInk, 1.2);
    }
  }
}

// A tick under each slot's centre and the category's name under it.
void draw_category_names(Figure& f, const std::vector<std::string>& categories, const PlotArea& plot, LabelMode mode) {
  const TextExtents text = measure_text("");
  const double slot = plot.width() / static_cast<double>(categories.size());
  for (std::size_t i = 0; i < categories.size(); ++i) {
    const double cx = plot.left + (static_cast<double>(i) + 0.5) * slot;
    f.line({cx, plot.bottom}, {cx, plot.bottom + 4}, kInk, 1);
    if (mode == LabelMode::Turned) {
      draw_turned_name(f, categories[i], cx, plot.bottom);
      continue;
    }
    const auto lines = mode == LabelMode::Flat ? std::vector<std::string>{categories[i]} : wrap_text(categories[i], slot - 6);
    for (std::size_t l = 0; l < lines.size(); ++l)
      f.text({cx, plot.bottom + 6 + text.ascent + static_cast<double>(l) * text.height()}, lines[l],
             {.align = Align::Center});
  }
}

}  // namespace

Figure bar_chart(const std::vector<std::string>& categories, const std::vector<BarSeries>& series,
                 const BarChartOptions& o) {
  check_bars(categories, series, o);
  const std::size_t n = categories.size();
  const Ticks yt = y_axis_ticks(o.y_min, o.y_max, o.height);
  const Legend legend = flow_legend(series, o.width - 2 * kPad);
  const Layout l = layout(categories, o, yt, legend.rows);
  const PlotArea& plot = l.plot;
  ADVGRAD_CHECK(plot.width() >= 20.0 * static_cast<double>(std::min<std::size_t>(n, 4)) && plot.height() >= 40,
                "bar_chart: ", o.width, "x", o.height, " leaves no room for ", n, " categories after the labels");

  Figure f(o.width, o.height);
  draw_title(f, o.title);
  draw_legend(f, series, legend, l.legend_top);
  draw_y_axis(f, plot, yt, o.y_min, o.y_max, o.y_percent, o.y_label);
  draw_bars(f, series, n, plot, o);
  f.line({plot.left, plot.bottom}, {plot.right, plot.bottom}, kInk, 1);
  draw_category_names(f, categories, plot, l.mode);
  draw_x_label(f, o.x_label, (plot.left + plot.right) / 2,
               plot.bottom + 8 + l.names_h + 6 + measure_text("", kAxisLabelSize).ascent);
  return f;
}

}  // namespace advgrad::report
