#include "advgrad/report/bar_chart.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "advgrad/core/error.h"
#include "advgrad/report/chart_parts.h"

namespace advgrad::report {
namespace {

constexpr double kSquare = 12;  // a legend swatch
const double kCos45 = std::numbers::sqrt2 / 2;

void check_bars(const std::vector<std::string>& categories, const std::vector<BarSeries>& series,
                const BarChartOptions& o) {
  const char* who = "bar_chart";
  ADVGRAD_CHECK(!categories.empty(), who, ": no categories");
  ADVGRAD_CHECK(!series.empty(), who, ": no series to draw");
  ADVGRAD_CHECK(o.width >= 200 && o.height >= 150 && o.width <= 16384 && o.height <= 16384, who, ": size ", o.width,
                "x", o.height, " is outside 200x150 .. 16384x16384");
  ADVGRAD_CHECK(std::isfinite(o.y_min) && std::isfinite(o.y_max) && o.y_min < o.y_max, who, ": y range [", o.y_min,
                ", ", o.y_max, "] is empty or not finite");
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

}  // namespace

Figure bar_chart(const std::vector<std::string>& categories, const std::vector<BarSeries>& series,
                 const BarChartOptions& o) {
  check_bars(categories, series, o);
  const double W = o.width, H = o.height;
  const std::size_t n = categories.size(), m = series.size();
  const TextExtents text = measure_text(""), label = measure_text("", kAxisLabelSize);
  const double line = text.height() + 4;
  const Ticks yt = nice_ticks(o.y_min, o.y_max, std::max(2, static_cast<int>(H / 70)));

  // The legend (two or more series) in rows under the title.
  std::vector<double> entry_x;
  std::vector<int> entry_row;
  double at = 0, rows_w = 0;
  int rows = 0;
  if (m >= 2) {
    rows = 1;
    for (const BarSeries& s : series) {
      const double w = kSquare + 6 + measure_text(s.name).width;
      if (at > 0 && at + w > W - 2 * kPad) at = 0, ++rows;
      entry_x.push_back(at);
      entry_row.push_back(rows - 1);
      rows_w = std::max(rows_w, at + w);
      at += w + 18;
    }
  }
  const double legend_top = kPad + title_height(o.title, W);

  PlotArea plot;
  plot.top = legend_top + rows * line + (rows > 0 ? 6 : 0) + text.height() / 2;
  plot.left = kPad + y_axis_width(yt, o.y_percent, o.y_label);
  plot.right = W - kPad;
  // Turned names hang down and to the left of their slot's centre: widen the
  // left margin until the first ones fit, then size the bottom margin.
  LabelMode mode = label_mode(categories, plot.width() / static_cast<double>(n));
  double names_h = (mode == LabelMode::Wrapped ? 2 : 1) * text.height();
  if (mode == LabelMode::Turned) {
    for (int pass = 0; pass < 2; ++pass) {
      const double slot = plot.width() / static_cast<double>(n);
      for (std::size_t i = 0; i < n; ++i) {
        const double reach = measure_text(categories[i]).width * kCos45 + text.ascent * kCos45;
        plot.left = std::max(plot.left, kPad + reach - (static_cast<double>(i) + 0.5) * slot);
      }
    }
    names_h = 0;
    for (const std::string& c : categories) names_h = std::max(names_h, (measure_text(c).width + text.height()) * kCos45);
  }
  plot.bottom = H - kPad - (o.x_label.empty() ? 0 : label.height() + 6) - names_h - 8;
  ADVGRAD_CHECK(plot.width() >= 20.0 * static_cast<double>(std::min<std::size_t>(n, 4)) && plot.height() >= 40,
                "bar_chart: ", o.width, "x", o.height, " leaves no room for ", n, " categories after the labels");
  const double slot = plot.width() / static_cast<double>(n);
  auto py = [&](double v) { return plot.y_of(std::clamp(v, o.y_min, o.y_max), o.y_min, o.y_max); };

  Figure f(W, H);
  draw_title(f, o.title);
  const double legend_x = std::max(kPad, (W - rows_w) / 2);
  for (std::size_t k = 0; k < entry_x.size(); ++k) {
    const double mid = legend_top + entry_row[k] * line + text.height() / 2;
    f.fill_rect(legend_x + entry_x[k], mid - kSquare / 2, kSquare, kSquare, series_color(k));
    f.text({legend_x + entry_x[k] + kSquare + 6, mid + (text.ascent - text.descent) / 2}, series[k].name);
  }
  draw_y_axis(f, plot, yt, o.y_min, o.y_max, o.y_percent, o.y_label);

  // Bars grow from zero (or the nearest edge of the y range).
  const double base = py(std::clamp(0.0, o.y_min, o.y_max));
  const double group = 0.8 * slot, bar = group / static_cast<double>(m);
  for (std::size_t i = 0; i < n; ++i) {
    const double x0 = plot.left + static_cast<double>(i) * slot + (slot - group) / 2;
    for (std::size_t k = 0; k < m; ++k) {
      const BarSeries& s = series[k];
      const double x = x0 + static_cast<double>(k) * bar, y = py(s.values[i]);
      f.fill_rect(x + 0.5, std::min(y, base), std::max(bar - 1, 1.0), std::fabs(base - y), series_color(k));
      if (s.lo.empty()) continue;
      const double mid = x + bar / 2, lo = py(s.lo[i]), hi = py(s.hi[i]), cap = std::min(4.0, bar / 3);
      f.line({mid, lo}, {mid, hi}, kInk, 1.2);
      f.line({mid - cap, lo}, {mid + cap, lo}, kInk, 1.2);
      f.line({mid - cap, hi}, {mid + cap, hi}, kInk, 1.2);
    }
  }
  f.line({plot.left, plot.bottom}, {plot.right, plot.bottom}, kInk, 1);

  for (std::size_t i = 0; i < n; ++i) {
    const double cx = plot.left + (static_cast<double>(i) + 0.5) * slot;
    f.line({cx, plot.bottom}, {cx, plot.bottom + 4}, kInk, 1);
    if (mode == LabelMode::Turned) {  // the name ends just under its tick
      f.text({cx + text.ascent * kCos45 / 2, plot.bottom + 6 + text.ascent * kCos45}, categories[i],
             {.align = Align::Right, .angle = 45});
      continue;
    }
    const auto lines = mode == LabelMode::Flat ? std::vector<std::string>{categories[i]} : wrap_text(categories[i], slot - 6);
    for (std::size_t l = 0; l < lines.size(); ++l)
      f.text({cx, plot.bottom + 6 + text.ascent + static_cast<double>(l) * text.height()}, lines[l],
             {.align = Align::Center});
  }
  if (!o.x_label.empty())
    f.text({(plot.left + plot.right) / 2, plot.bottom + 8 + names_h + 6 + label.ascent}, o.x_label,
           {.size = kAxisLabelSize, .align = Align::Center});
  return f;
}

}  // namespace advgrad::report
