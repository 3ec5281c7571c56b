#include "advgrad/report/chart_parts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <vector>

#include "advgrad/core/error.h"

namespace advgrad::report {
namespace {

constexpr double kBarWidth = 14, kTickLength = 4, kGap = 4;

void check_bar(const ColorBar& bar, double height) {
  ADVGRAD_CHECK(std::isfinite(bar.lo) && std::isfinite(bar.hi) && bar.lo < bar.hi, "color bar '", bar.label,
                "': range [", bar.lo, ", ", bar.hi, "] is empty or not finite");
  ADVGRAD_CHECK(std::isfinite(height) && height >= 60, "color bar '", bar.label, "': height ", height,
                " is below 60 px");
}

Ticks bar_ticks(const ColorBar& bar, double height) {
  return nice_ticks(bar.lo, bar.hi, std::clamp(static_cast<int>(height / 45), 2, 6));
}

double widest_tick(const ColorBar& bar, const Ticks& t) {
  double w = 0;
  for (int i = 0; i < t.count; ++i) w = std::max(w, measure_text(tick_label(t.at(i), t.decimals, bar.percent)).width);
  return w;
}

}  // namespace

void check_chart_frame(const char* who, int width, int height, double y_min, double y_max) {
  ADVGRAD_CHECK(width >= 200 && height >= 150 && width <= 16384 && height <= 16384, who, ": size ", width, "x", height,
                " is outside 200x150 .. 16384x16384");
  ADVGRAD_CHECK(std::isfinite(y_min) && std::isfinite(y_max) && y_min < y_max, who, ": y range [", y_min, ", ", y_max,
                "] is empty or not finite");
}

double widest_text(const std::vector<std::string>& texts) {
  double w = 0;
  for (const std::string& t : texts) w = std::max(w, measure_text(t).width);
  return w;
}

double centred_baseline(double mid) {
  const TextExtents e = measure_text("");
  return mid + (e.ascent - e.descent) / 2;
}

double title_height(const std::string& title, double figure_width) {
  if (title.empty()) return 0;
  const auto lines = wrap_text(title, std::max(1.0, figure_width - 2 * kPad), kTitleSize, true);
  return static_cast<double>(lines.size()) * measure_text("", kTitleSize, true).height() + 8;
}

void draw_title(Figure& f, const std::string& title) {
  if (title.empty()) return;
  const TextExtents e = measure_text("", kTitleSize, true);
  double baseline = kPad + e.ascent;
  for (const std::string& line : wrap_text(title, std::max(1.0, f.width() - 2 * kPad), kTitleSize, true)) {
    f.text({f.width() / 2, baseline}, line, {.size = kTitleSize, .bold = true, .align = Align::Center});
    baseline += e.height();
  }
}

double y_axis_width(const Ticks& t, bool percent, const std::string& y_label) {
  double w = 0;
  for (int i = 0; i < t.count; ++i) w = std::max(w, measure_text(tick_label(t.at(i), t.decimals, percent)).width);
  return w + 5 + kTickLength + (y_label.empty() ? 0 : measure_text("", kAxisLabelSize).height() + 6);
}

void draw_y_axis(Figure& f, const PlotArea& plot, const Ticks& t, double lo, double hi, bool percent,
                 const std::string& y_label) {
  const TextExtents e = measure_text("");
  for (int i = 0; i < t.count; ++i) {
    const double v = t.at(i);
    if (v < lo - 1e-9 * (hi - lo) || v > hi + 1e-9 * (hi - lo)) continue;
    const double y = plot.y_of(v, lo, hi);
    f.line({plot.left, y}, {plot.right, y}, kGrid, 1);
    f.line({plot.left - kTickLength, y}, {plot.left, y}, kInk, 1);
    f.text({plot.left - kTickLength - 5, y + (e.ascent - e.descent) / 2}, tick_label(v, t.decimals, percent),
           {.align = Align::Right});
  }
  draw_y_label(f, y_label, (plot.top + plot.bottom) / 2);
  f.line({plot.left, plot.top}, {plot.left, plot.bottom}, kInk, 1);
}

void draw_x_label(Figure& f, const std::string& x_label, double centre_x, double baseline) {
  if (!x_label.empty()) f.text({centre_x, baseline}, x_label, {.size = kAxisLabelSize, .align = Align::Center});
}

void draw_y_label(Figure& f, const std::string& y_label, double centre_y) {
  if (!y_label.empty())
    f.text({kPad + measure_text("", kAxisLabelSize).ascent, centre_y}, y_label,
           {.size = kAxisLabelSize, .align = Align::Center, .angle = 90});
}

void draw_turned_name(Figure& f, const std::string& name, double x, double top) {
  // Right-aligned and turned, the text runs up and to the left of its anchor: an
  // anchor 6 px plus a turned ascent below the tick, and half that to its right,
  // puts the name's end just under the tick.
  const double ascent = measure_text("").ascent;
  f.text({x + ascent * kCos45 / 2, top + 6 + ascent * kCos45}, name, {.align = Align::Right, .angle = 45});
}

double turned_height(double width) { return (width + measure_text("").height()) * kCos45; }

void draw_whisker(Figure& f, double x, double lo, double hi, double cap, Color color, double line_width) {
  f.line({x, lo}, {x, hi}, color, line_width);
  f.line({x - cap, lo}, {x + cap, lo}, color, line_width);
  f.line({x - cap, hi}, {x + cap, hi}, color, line_width);
}

Ticks nice_ticks(double lo, double hi, int target) {
  ADVGRAD_CHECK(std::isfinite(lo) && std::isfinite(hi) && lo < hi && target >= 1, "nice_ticks: range [", lo, ", ", hi,
                "] with ", target, " ticks");
  const double raw = (hi - lo) / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double frac = raw / mag;
  const double step = (frac < 1.5 ? 1 : frac < 3.5 ? 2 : frac < 7.5 ? 5 : 10) * mag;
  const double first = std::ceil(lo / step - 1e-9) * step;
  const int count = static_cast<int>(std::floor((hi - first) / step + 1e-9)) + 1;
  const int decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
  return {first, step, count, decimals};
}

Ticks y_axis_ticks(double lo, double hi, double figure_height) {
  return nice_ticks(lo, hi, std::max(2, static_cast<int>(figure_height / 70)));
}

std::string tick_label(double v, int decimals, bool percent) {
  if (percent) v *= 100;
  if (std::fabs(v) < 1e-12) v = 0;  // no "-0.00"
  char buf[64];
  std::snprintf(buf, sizeof buf, percent ? "%.*f%%" : "%.*f", std::max(0, decimals - (percent ? 2 : 0)), v);
  return buf;
}

Color series_color(std::size_t k) {
  static constexpr Color kPalette[] = {{0, 114, 178}, {213, 94, 0},   {0, 158, 115},  {204, 121, 167},
                                       {230, 159, 0}, {86, 180, 233}, {120, 60, 20}, {90, 90, 90}};
  return kPalette[k % std::size(kPalette)];
}

double color_bar_width(const ColorBar& bar, double height) {
  check_bar(bar, height);
  const double lines = bar.label.empty() ? 0 : static_cast<double>(wrap_text(bar.label, height).size());
  return kBarWidth + kTickLength + kGap + widest_tick(bar, bar_ticks(bar, height)) +
         (lines > 0 ? kGap + 2 + lines * measure_text("").height() : 0);
}

void draw_color_bar(Figure& f, const ColorBar& bar, double x, double y, double height) {
  check_bar(bar, height);
  Image strip(1, 256);  // top row = hi
  for (int i = 0; i < 256; ++i) strip.set(0, i, map_color(bar.map, 1 - i / 255.0));
  f.pixels(strip, x, y, kBarWidth, height);
  f.stroke_rect(x, y, kBarWidth, height, kFrame, 1);
  const Ticks t = bar_ticks(bar, height);
  const TextExtents e = measure_text("");
  for (int i = 0; i < t.count; ++i) {
    const double v = t.at(i), ty = y + height * (bar.hi - v) / (bar.hi - bar.lo);
    f.line({x + kBarWidth, ty}, {x + kBarWidth + kTickLength, ty}, kInk, 1);
    f.text({x + kBarWidth + kTickLength + kGap, ty + (e.ascent - e.descent) / 2},
           tick_label(v, t.decimals, bar.percent));
  }
  if (bar.label.empty()) return;
  // Rotated to read bottom to top; each line's ascent lies to the left of its baseline.
  const std::vector<std::string> lines = wrap_text(bar.label, height);
  double lx = x + kBarWidth + kTickLength + kGap + widest_tick(bar, t) + kGap + 2;
  for (const std::string& line : lines) {
    f.text({lx + e.ascent, y + height / 2}, line, {.color = kInk, .align = Align::Center, .angle = 90});
    lx += e.height();
  }
}

}  // namespace advgrad::report
