#include "advgrad/report/line_chart.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "advgrad/core/error.h"
#include "advgrad/report/chart_parts.h"

namespace advgrad::report {
namespace {

constexpr double kSwatch = 24, kLegendPad = 6;

void check_series(const std::vector<ChartSeries>& series, const ChartOptions& o) {
  const char* who = "line_chart";
  ADVGRAD_CHECK(!series.empty(), who, ": no series to draw");
  check_chart_frame(who, o.width, o.height, o.y_min, o.y_max);
  for (const ChartSeries& s : series) {
    ADVGRAD_CHECK(!s.x.empty() && s.x.size() == s.y.size(), who, ": series '", s.name, "' has ", s.x.size(),
                  " x values and ", s.y.size(), " y values (need the same number, at least one)");
    const bool interval = !s.y_lo.empty() || !s.y_hi.empty();
    ADVGRAD_CHECK(!interval || (s.y_lo.size() == s.y.size() && s.y_hi.size() == s.y.size()), who, ": series '",
                  s.name, "' has ", s.y_lo.size(), " y_lo and ", s.y_hi.size(), " y_hi values for ", s.y.size(),
                  " points (need none or one each per point)");
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      ADVGRAD_CHECK(std::isfinite(s.x[i]) && std::isfinite(s.y[i]), who, ": series '", s.name,
                    "' has a non-finite point (", s.x[i], ", ", s.y[i], ") at index ", i);
      if (interval)
        ADVGRAD_CHECK(std::isfinite(s.y_lo[i]) && std::isfinite(s.y_hi[i]) && s.y_lo[i] <= s.y[i] && s.y[i] <= s.y_hi[i],
                      who, ": series '", s.name, "' at index ", i, ": interval [", s.y_lo[i], ", ", s.y_hi[i],
                      "] does not hold y = ", s.y[i]);
    }
  }
}

// Data to figure coordinates: x over the data's range, y over [y_min, y_max]
// (values outside are drawn at the edge).
struct Scales {
  PlotArea plot;
  double x_lo = 0, x_hi = 1, y_min = 0, y_max = 1;
  double px(double x) const { return plot.left + (x - x_lo) / (x_hi - x_lo) * plot.width(); }
  double py(double y) const { return plot.y_of(std::clamp(y, y_min, y_max), y_min, y_max); }
  Point at(double x, double y) const { return {px(x), py(y)}; }
};

// The x range spans every series' x values; a single x value gets some room.
Scales data_scales(const std::vector<ChartSeries>& series, const ChartOptions& o, const PlotArea& plot) {
  Scales at{plot, INFINITY, -INFINITY, o.y_min, o.y_max};
  for (const ChartSeries& s : series)
    for (double x : s.x) at.x_lo = std::min(at.x_lo, x), at.x_hi = std::max(at.x_hi, x);
  if (at.x_hi - at.x_lo < 1e-12 * std::max(1.0, std::fabs(at.x_hi))) at.x_lo -= 0.5, at.x_hi += 0.5;
  return at;
}

struct Box {
  double x = 0, y = 0, w = 0, h = 0;
  bool holds(Point p, double margin) const {
    return p.x >= x - margin && p.x <= x + w + margin && p.y >= y - margin && p.y <= y + h + margin;
  }
};

// The legend's size when its entries are stacked (inside the plot).
Box stacked_legend(const std::vector<ChartSeries>& series) {
  double name_w = 0;
  for (const ChartSeries& s : series) name_w = std::max(name_w, measure_text(s.name).width);
  const double line = measure_text("").height() + 4;
  return {0, 0, 2 * kLegendPad + kSwatch + 6 + name_w, 2 * kLegendPad + line * static_cast<double>(series.size()) - 4};
}

// The legend entries in rows of at most `width` px (below the plot): the
// entries' x offsets and row indices, and the rows' count.
struct FlowLegend {
  std::vector<double> x;
  std::vector<int> row;
  int rows = 0;
};
FlowLegend flow_legend(const std::vector<ChartSeries>& series, double width) {
  FlowLegend l;
  double at = 0;
  int row = 0;
  for (const ChartSeries& s : series) {
    const double w = kSwatch + 6 + measure_text(s.name).width + 18;
    if (at > 0 && at + w > width) at = 0, ++row;
    l.x.push_back(at);
    l.row.push_back(row);
    at += w;
  }
  l.rows = row + 1;
  return l;
}

// The plot's rectangle, its margins sized by the text they hold; with
// legend_rows > 0, that many rows of legend under the x label. The x ticks
// come later, from the plot's width.
PlotArea plot_area(const ChartOptions& o, const Ticks& yt, int legend_rows) {
  const double W = o.width, H = o.height;
  const TextExtents text = measure_text(""), label = measure_text("", kAxisLabelSize);
  PlotArea p;
  p.top = kPad + title_height(o.title, W) + text.height() / 2;
  p.left = kPad + y_axis_width(yt, o.y_percent, o.y_label);
  p.right = W - kPad - 20;  // room for half of the last x tick label
  p.bottom = H - kPad - (o.x_label.empty() ? 0 : label.height() + 6) - text.height() - 8 -
             (legend_rows > 0 ? legend_rows * (text.height() + 4) + 8 : 0);
  return p;
}

// The plot when the legend takes rows below it.
PlotArea plot_over_legend(const std::vector<ChartSeries>& series, const ChartOptions& o, const Ticks& yt) {
  const PlotArea plot = plot_area(o, yt, flow_legend(series, o.width - 2 * kPad).rows);
  ADVGRAD_CHECK(plot.height() >= 40, "line_chart: ", o.width, "x", o.height, " leaves no room for the plot and a ",
                series.size(), "-entry legend");
  return plot;
}

// Points from `top` down to `bottom` (figure coordinates) every 2 px.
void sample_down(std::vector<Point>& samples, double x, double top, double bottom) {
  for (double y = top; y <= bottom; y += 2) samples.push_back({x, y});
}

// The segment from point i to point i + 1 of s, and its band, every 2 px.
void sample_segment(std::vector<Point>& samples, const ChartSeries& s, std::size_t i, const Scales& at) {
  const Point a = at.at(s.x[i], s.y[i]), b = at.at(s.x[i + 1], s.y[i + 1]);
  const int n = static_cast<int>(std::hypot(b.x - a.x, b.y - a.y) / 2) + 1;
  for (int k = 1; k < n; ++k) {
    const double t = static_cast<double>(k) / n;
    samples.push_back({a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)});
    if (!s.y_lo.empty())  // the band between the two points
      sample_down(samples, a.x + t * (b.x - a.x), at.py(s.y_hi[i] + t * (s.y_hi[i + 1] - s.y_hi[i])),
                  at.py(s.y_lo[i] + t * (s.y_lo[i + 1] - s.y_lo[i])));
  }
}

// What a legend must not cover: every curve, marker and band, sampled every 2 px.
std::vector<Point> data_samples(const std::vector<ChartSeries>& series, const Scales& at) {
  std::vector<Point> samples;
  for (const ChartSeries& s : series)
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      const Point a = at.at(s.x[i], s.y[i]);
      samples.push_back(a);
      if (!s.y_lo.empty()) sample_down(samples, a.x, at.py(s.y_hi[i]), at.py(s.y_lo[i]));
      if (i + 1 < s.x.size()) sample_segment(samples, s, i, at);
    }
  return samples;
}

// The first corner of the plot (then the middle of its right and left sides)
// where a box of `size` covers no sample; none if every one is taken or the box
// does not fit.
std::optional<Box> free_corner(const Box& size, const PlotArea& plot, const std::vector<Point>& samples) {
  const double m = 8;
  if (!(size.w + 2 * m <= plot.width() && size.h + 2 * m <= plot.height())) return std::nullopt;
  const Point corners[] = {{plot.right - size.w - m, plot.top + m},
                           {plot.right - size.w - m, plot.bottom - size.h - m},
                           {plot.left + m, plot.bottom - size.h - m},
                           {plot.left + m, plot.top + m},
                           {plot.right - size.w - m, (plot.top + plot.bottom - size.h) / 2},
                           {plot.left + m, (plot.top + plot.bottom - size.h) / 2}};
  for (const Point& c : corners) {
    const Box candidate{c.x, c.y, size.w, size.h};
    if (std::none_of(samples.begin(), samples.end(), [&](Point p) { return candidate.holds(p, 4); })) return candidate;
  }
  return std::nullopt;
}

// Where the legend goes: nowhere when no series has a name, else inside the
// plot in a free corner, else in rows below the plot.
struct LegendPlace {
  bool shown = false, below = false;
  Box box{};  // inside the plot: shown and not below
};
LegendPlace place_legend(const std::vector<ChartSeries>& series, const Scales& at) {
  LegendPlace l;
  l.shown = std::any_of(series.begin(), series.end(), [](const ChartSeries& s) { return !s.name.empty(); });
  if (!l.shown) return l;
  const std::optional<Box> corner = free_corner(stacked_legend(series), at.plot, data_samples(series, at));
  l.below = !corner;
  if (corner) l.box = *corner;
  return l;
}

double x_label_baseline(const PlotArea& plot) {
  return plot.bottom + 6 + measure_text("").height() + 6 + measure_text("", kAxisLabelSize).ascent;
}

// Vertical grid lines, tick marks and labels at the x ticks, the x axis, and its label.
void draw_x_axis(Figure& f, const Scales& at, const Ticks& xt, const std::string& x_label) {
  const PlotArea& plot = at.plot;
  const double ascent = measure_text("").ascent;
  for (int i = 0; i < xt.count; ++i) {
    const double x = at.px(xt.at(i));
    f.line({x, plot.top}, {x, plot.bottom}, kGrid, 1);
    f.line({x, plot.bottom}, {x, plot.bottom + 4}, kInk, 1);
    f.text({x, plot.bottom + 6 + ascent}, tick_label(xt.at(i), xt.decimals), {.align = Align::Center});
  }
  f.line({plot.left, plot.bottom}, {plot.right, plot.bottom}, kInk, 1);
  draw_x_label(f, x_label, (plot.left + plot.right) / 2, x_label_baseline(plot));
}

// Each series' interval: a translucent band between y_lo and y_hi, or whiskers.
void draw_intervals(Figure& f, const std::vector<ChartSeries>& series, const Scales& at, IntervalStyle style) {
  for (std::size_t k = 0; k < series.size(); ++k) {
    const ChartSeries& s = series[k];
    if (s.y_lo.empty()) continue;
    const Color c = series_color(k);
    if (style == IntervalStyle::Band && s.x.size() >= 2) {
      std::vector<Point> band;
      for (std::size_t i = 0; i < s.x.size(); ++i) band.push_back(at.at(s.x[i], s.y_hi[i]));
      for (std::size_t i = s.x.size(); i-- > 0;) band.push_back(at.at(s.x[i], s.y_lo[i]));
      f.fill_polygon(band, Color(c.r, c.g, c.b, 0.18));
    } else {
      for (std::size_t i = 0; i < s.x.size(); ++i)
        draw_whisker(f, at.px(s.x[i]), at.py(s.y_lo[i]), at.py(s.y_hi[i]), 4, c, 1.5);
    }
  }
}

// Each series' curve, then a marker at each of its points.
void draw_curves(Figure& f, const std::vector<ChartSeries>& series, const Scales& at) {
  for (std::size_t k = 0; k < series.size(); ++k) {
    const ChartSeries& s = series[k];
    std::vector<Point> points;
    for (std::size_t i = 0; i < s.x.size(); ++i) points.push_back(at.at(s.x[i], s.y[i]));
    if (points.size() >= 2) f.polyline(points, series_color(k), 2);
    for (const Point& p : points) f.circle(p, 3.5, series_color(k));
  }
}

// A legend entry: a piece of the k-th curve with its marker, then the name.
void draw_entry(Figure& f, Point left_mid, std::size_t k, const std::string& name) {
  const Color c = series_color(k);
  f.line(left_mid, {left_mid.x + kSwatch, left_mid.y}, c, 2);
  f.circle({left_mid.x + kSwatch / 2, left_mid.y}, 3, c);
  f.text({left_mid.x + kSwatch + 6, centred_baseline(left_mid.y)}, name);
}

void draw_legend_inside(Figure& f, const std::vector<ChartSeries>& series, const Box& box) {
  const double text_h = measure_text("").height(), line = text_h + 4;
  f.fill_rect(box.x, box.y, box.w, box.h, Color(255, 255, 255, 0.92));
  f.stroke_rect(box.x, box.y, box.w, box.h, kFrame, 1);
  for (std::size_t k = 0; k < series.size(); ++k) {
    const double mid = box.y + kLegendPad + line * static_cast<double>(k) + text_h / 2;
    draw_entry(f, {box.x + kLegendPad, mid}, k, series[k].name);
  }
}

// The legend's rows centred under the plot, below the x label.
void draw_legend_below(Figure& f, const std::vector<ChartSeries>& series, const PlotArea& plot, const ChartOptions& o) {
  const double text_h = measure_text("").height(), line = text_h + 4;
  const FlowLegend flow = flow_legend(series, o.width - 2 * kPad);
  double rows_w = 0;
  for (std::size_t k = 0; k < series.size(); ++k)
    rows_w = std::max(rows_w, flow.x[k] + kSwatch + 6 + measure_text(series[k].name).width);
  const double x0 = std::max(kPad, (o.width - rows_w) / 2);
  const double y0 = (o.x_label.empty() ? plot.bottom + 6 + text_h
                                       : x_label_baseline(plot) + measure_text("", kAxisLabelSize).descent) + 10;
  for (std::size_t k = 0; k < series.size(); ++k) {
    const double mid = y0 + flow.row[k] * line + text_h / 2;
    draw_entry(f, {x0 + flow.x[k], mid}, k, series[k].name);
  }
}

}  // namespace

Figure line_chart(const std::vector<ChartSeries>& series, const ChartOptions& o) {
  check_series(series, o);
  const Ticks yt = y_axis_ticks(o.y_min, o.y_max, o.height);
  Scales at = data_scales(series, o, plot_area(o, yt, 0));
  ADVGRAD_CHECK(at.plot.width() >= 60 && at.plot.height() >= 40, "line_chart: ", o.width, "x", o.height,
                " leaves no room for the plot after the labels");
  const Ticks xt = nice_ticks(at.x_lo, at.x_hi, std::max(2, static_cast<int>(at.plot.width() / 90)));
  const LegendPlace legend = place_legend(series, at);
  if (legend.below) at.plot = plot_over_legend(series, o, yt);

  Figure f(o.width, o.height);
  draw_title(f, o.title);
  // Grid, ticks and labels first, so that the data is drawn over them;
  // intervals under the curves, curves under the markers.
  draw_y_axis(f, at.plot, yt, o.y_min, o.y_max, o.y_percent, o.y_label);
  draw_x_axis(f, at, xt, o.x_label);
  draw_intervals(f, series, at, o.intervals);
  draw_curves(f, series, at);
  if (legend.below)
    draw_legend_below(f, series, at.plot, o);
  else if (legend.shown)
    draw_legend_inside(f, series, legend.box);
  return f;
}

}  // namespace advgrad::report
