#include "advgrad/report/line_chart.h"

#include <algorithm>
#include <cmath>

#include "advgrad/core/error.h"
#include "advgrad/report/chart_parts.h"

namespace advgrad::report {
namespace {

constexpr double kSwatch = 24, kLegendPad = 6;

void check_series(const std::vector<ChartSeries>& series, const ChartOptions& o) {
  const char* who = "line_chart";
  ADVGRAD_CHECK(!series.empty(), who, ": no series to draw");
  ADVGRAD_CHECK(o.width >= 200 && o.height >= 150 && o.width <= 16384 && o.height <= 16384, who, ": size ", o.width,
                "x", o.height, " is outside 200x150 .. 16384x16384");
  ADVGRAD_CHECK(std::isfinite(o.y_min) && std::isfinite(o.y_max) && o.y_min < o.y_max, who, ": y range [", o.y_min,
                ", ", o.y_max, "] is empty or not finite");
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

void draw_swatch(Figure& f, Point left_mid, Color c) {
  f.line(left_mid, {left_mid.x + kSwatch, left_mid.y}, c, 2);
  f.circle({left_mid.x + kSwatch / 2, left_mid.y}, 3, c);
}

}  // namespace

Figure line_chart(const std::vector<ChartSeries>& series, const ChartOptions& o) {
  check_series(series, o);
  double x_lo = INFINITY, x_hi = -INFINITY;
  for (const ChartSeries& s : series)
    for (double x : s.x) x_lo = std::min(x_lo, x), x_hi = std::max(x_hi, x);
  if (x_hi - x_lo < 1e-12 * std::max(1.0, std::fabs(x_hi))) x_lo -= 0.5, x_hi += 0.5;  // one x value: some room
  const bool legend = std::any_of(series.begin(), series.end(), [](const ChartSeries& s) { return !s.name.empty(); });
  const double W = o.width, H = o.height;
  const TextExtents text = measure_text(""), label = measure_text("", kAxisLabelSize);
  const Ticks yt = nice_ticks(o.y_min, o.y_max, std::max(2, static_cast<int>(H / 70)));

  // Margins from the text they hold; the x ticks depend on the plot's width.
  // With `below`, the legend takes rows under the x label instead of a corner.
  auto layout = [&](bool below, FlowLegend* flow) {
    PlotArea p;
    p.top = kPad + title_height(o.title, W) + text.height() / 2;
    p.left = kPad + y_axis_width(yt, o.y_percent, o.y_label);
    p.right = W - kPad - 20;  // room for half of the last x tick label
    const FlowLegend l = flow_legend(series, W - 2 * kPad);
    if (flow) *flow = l;
    p.bottom = H - kPad - (o.x_label.empty() ? 0 : label.height() + 6) - text.height() - 8 -
               (below ? l.rows * (text.height() + 4) + 8 : 0);
    return p;
  };
  bool below = false;
  FlowLegend flow;
  PlotArea plot = layout(false, &flow);
  ADVGRAD_CHECK(plot.width() >= 60 && plot.height() >= 40, "line_chart: ", o.width, "x", o.height,
                " leaves no room for the plot after the labels");
  const Ticks xt = nice_ticks(x_lo, x_hi, std::max(2, static_cast<int>(plot.width() / 90)));
  auto px = [&](double x) { return plot.left + (x - x_lo) / (x_hi - x_lo) * plot.width(); };
  auto py = [&](double y) { return plot.y_of(std::clamp(y, o.y_min, o.y_max), o.y_min, o.y_max); };

  // The legend goes in the first corner of the plot that no curve, marker or
  // band passes through (sampled every 2 px); if none is free, below the plot.
  Box box = stacked_legend(series);
  if (legend) {
    std::vector<Point> samples;
    for (const ChartSeries& s : series)
      for (std::size_t i = 0; i < s.x.size(); ++i) {
        const Point a{px(s.x[i]), py(s.y[i])};
        samples.push_back(a);
        if (!s.y_lo.empty())
          for (double y = py(s.y_hi[i]); y <= py(s.y_lo[i]); y += 2) samples.push_back({a.x, y});
        if (i + 1 == s.x.size()) continue;
        const Point b{px(s.x[i + 1]), py(s.y[i + 1])};
        const int n = static_cast<int>(std::hypot(b.x - a.x, b.y - a.y) / 2) + 1;
        for (int k = 1; k < n; ++k) {
          const double t = static_cast<double>(k) / n;
          samples.push_back({a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)});
          if (!s.y_lo.empty())  // the band between the two points
            for (double y = py(s.y_hi[i] + t * (s.y_hi[i + 1] - s.y_hi[i]));
                 y <= py(s.y_lo[i] + t * (s.y_lo[i + 1] - s.y_lo[i])); y += 2)
              samples.push_back({a.x + t * (b.x - a.x), y});
        }
      }
    const double m = 8;
    const Point corners[] = {{plot.right - box.w - m, plot.top + m},
                             {plot.right - box.w - m, plot.bottom - box.h - m},
                             {plot.left + m, plot.bottom - box.h - m},
                             {plot.left + m, plot.top + m},
                             {plot.right - box.w - m, (plot.top + plot.bottom - box.h) / 2},
                             {plot.left + m, (plot.top + plot.bottom - box.h) / 2}};
    below = true;
    if (box.w + 2 * m <= plot.width() && box.h + 2 * m <= plot.height())
      for (const Point& c : corners) {
        const Box candidate{c.x, c.y, box.w, box.h};
        if (std::none_of(samples.begin(), samples.end(), [&](Point p) { return candidate.holds(p, 4); })) {
          box = candidate;
          below = false;
          break;
        }
      }
    if (below) {
      plot = layout(true, &flow);
      ADVGRAD_CHECK(plot.height() >= 40, "line_chart: ", o.width, "x", o.height, " leaves no room for the plot and a ",
                    series.size(), "-entry legend");
    }
  }

  Figure f(W, H);
  draw_title(f, o.title);
  // Grid, ticks and labels first, so that the data is drawn over them.
  draw_y_axis(f, plot, yt, o.y_min, o.y_max, o.y_percent, o.y_label);
  for (int i = 0; i < xt.count; ++i) {
    const double x = px(xt.at(i));
    f.line({x, plot.top}, {x, plot.bottom}, kGrid, 1);
    f.line({x, plot.bottom}, {x, plot.bottom + 4}, kInk, 1);
    f.text({x, plot.bottom + 6 + text.ascent}, tick_label(xt.at(i), xt.decimals), {.align = Align::Center});
  }
  f.line({plot.left, plot.bottom}, {plot.right, plot.bottom}, kInk, 1);
  const double x_label_baseline = plot.bottom + 6 + text.height() + 6 + label.ascent;
  if (!o.x_label.empty())
    f.text({(plot.left + plot.right) / 2, x_label_baseline}, o.x_label, {.size = kAxisLabelSize, .align = Align::Center});

  // Intervals under the curves, curves under the markers.
  for (std::size_t k = 0; k < series.size(); ++k) {
    const ChartSeries& s = series[k];
    if (s.y_lo.empty()) continue;
    const Color c = series_color(k);
    if (o.intervals == IntervalStyle::Band && s.x.size() >= 2) {
      std::vector<Point> band;
      for (std::size_t i = 0; i < s.x.size(); ++i) band.push_back({px(s.x[i]), py(s.y_hi[i])});
      for (std::size_t i = s.x.size(); i-- > 0;) band.push_back({px(s.x[i]), py(s.y_lo[i])});
      f.fill_polygon(band, Color(c.r, c.g, c.b, 0.18));
    } else {
      for (std::size_t i = 0; i < s.x.size(); ++i) {
        const double x = px(s.x[i]), lo = py(s.y_lo[i]), hi = py(s.y_hi[i]);
        f.line({x, lo}, {x, hi}, c, 1.5);
        f.line({x - 4, lo}, {x + 4, lo}, c, 1.5);
        f.line({x - 4, hi}, {x + 4, hi}, c, 1.5);
      }
    }
  }
  for (std::size_t k = 0; k < series.size(); ++k) {
    const ChartSeries& s = series[k];
    std::vector<Point> points;
    for (std::size_t i = 0; i < s.x.size(); ++i) points.push_back({px(s.x[i]), py(s.y[i])});
    if (points.size() >= 2) f.polyline(points, series_color(k), 2);
    for (const Point& p : points) f.circle(p, 3.5, series_color(k));
  }

  if (!legend) return f;
  const double line = text.height() + 4;
  if (!below) {
    f.fill_rect(box.x, box.y, box.w, box.h, Color(255, 255, 255, 0.92));
    f.stroke_rect(box.x, box.y, box.w, box.h, kFrame, 1);
    for (std::size_t k = 0; k < series.size(); ++k) {
      const double mid = box.y + kLegendPad + line * static_cast<double>(k) + text.height() / 2;
      draw_swatch(f, {box.x + kLegendPad, mid}, series_color(k));
      f.text({box.x + kLegendPad + kSwatch + 6, mid + (text.ascent - text.descent) / 2}, series[k].name);
    }
    return f;
  }
  double rows_w = 0;  // centre the rows under the plot
  for (std::size_t k = 0; k < series.size(); ++k)
    rows_w = std::max(rows_w, flow.x[k] + kSwatch + 6 + measure_text(series[k].name).width);
  const double x0 = std::max(kPad, (W - rows_w) / 2);
  const double y0 = (o.x_label.empty() ? plot.bottom + 6 + text.height() : x_label_baseline + label.descent) + 10;
  for (std::size_t k = 0; k < series.size(); ++k) {
    const double mid = y0 + flow.row[k] * line + text.height() / 2;
    draw_swatch(f, {x0 + flow.x[k], mid}, series_color(k));
    f.text({x0 + flow.x[k] + kSwatch + 6, mid + (text.ascent - text.descent) / 2}, series[k].name);
  }
  return f;
}

}  // namespace advgrad::report
