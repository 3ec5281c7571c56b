// line_chart (declared in figures.h): axes, grid, ticks, labels, legend.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "advgrad/core/error.h"
#include "advgrad/report/bitmap_font.h"
#include "advgrad/report/figures.h"

namespace advgrad::report {
namespace {

constexpr Rgb kInk{25, 25, 25}, kGrid{225, 225, 225}, kFrame{150, 150, 150};
// Distinct, colour-blind-friendlier hues (in the spirit of the Okabe-Ito set),
// reused in order when there are more series.
constexpr Rgb kPalette[] = {{0, 114, 178}, {213, 94, 0}, {0, 158, 115}, {204, 121, 167},
                            {230, 159, 0}, {86, 180, 233}, {120, 60, 20}, {90, 90, 90}};

struct Ticks {
  double first, step;
  int count, decimals;
};

// Ticks at multiples of 1, 2 or 5 x 10^k, about five over [lo, hi], with enough
// decimals to tell them apart.
Ticks nice_ticks(double lo, double hi) {
  const double raw = (hi - lo) / 5;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double frac = raw / mag;
  const double step = (frac < 1.5 ? 1 : frac < 3.5 ? 2 : frac < 7.5 ? 5 : 10) * mag;
  const double first = std::ceil(lo / step - 1e-9) * step;
  const int count = static_cast<int>(std::floor((hi - first) / step + 1e-9)) + 1;
  const int decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
  return {first, step, count, decimals};
}

std::string tick_text(double v, int decimals, bool percent) {
  char buf[64];
  if (std::fabs(v) < 1e-12) v = 0;  // no "-0.00"
  std::snprintf(buf, sizeof buf, percent ? "%.*f%%" : "%.*f", decimals, v);
  return buf;
}

}  // namespace

Image line_chart(const std::vector<ChartSeries>& series, const ChartOptions& o) {
  const char* who = "line_chart";
  ADVGRAD_CHECK(!series.empty(), who, ": no series to draw");
  ADVGRAD_CHECK(o.width >= 200 && o.height >= 150 && o.width <= 16384 && o.height <= 16384, who, ": size ", o.width,
                "x", o.height, " is outside 200x150 .. 16384x16384");
  ADVGRAD_CHECK(std::isfinite(o.y_min) && std::isfinite(o.y_max) && o.y_min < o.y_max, who, ": y range [", o.y_min,
                ", ", o.y_max, "] is empty or not finite");
  double x_lo = INFINITY, x_hi = -INFINITY;
  for (const ChartSeries& s : series) {
    ADVGRAD_CHECK(!s.x.empty() && s.x.size() == s.y.size(), who, ": series '", s.name, "' has ", s.x.size(),
                  " x values and ", s.y.size(), " y values (need the same number, at least one)");
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      ADVGRAD_CHECK(std::isfinite(s.x[i]) && std::isfinite(s.y[i]), who, ": series '", s.name,
                    "' has a non-finite point (", s.x[i], ", ", s.y[i], ") at index ", i);
      x_lo = std::min(x_lo, s.x[i]);
      x_hi = std::max(x_hi, s.x[i]);
    }
  }
  if (x_hi - x_lo < 1e-12 * std::max(1.0, std::fabs(x_hi))) {  // one x value: give it some room
    x_lo -= 0.5;
    x_hi += 0.5;
  }
  const Ticks xt = nice_ticks(x_lo, x_hi);
  const double y_scale = o.y_percent ? 100 : 1;  // tick labels in percent, the values stay fractions
  const Ticks yt = nice_ticks(o.y_min * y_scale, o.y_max * y_scale);

  // Margins from the text they must hold.
  const int pad = 10, th = text_height();
  int y_tick_w = 0;
  for (int i = 0; i < yt.count; ++i)
    y_tick_w = std::max(y_tick_w, text_width(tick_text(yt.first + i * yt.step, yt.decimals, o.y_percent)));
  const int top = pad + (o.title.empty() ? 0 : text_height(2) + pad) + (o.y_label.empty() ? 0 : th + 6);
  const int left = pad + y_tick_w + 8, right = o.width - 2 * pad;
  const int bottom = o.height - pad - (o.x_label.empty() ? 0 : th + 6) - th - 8;
  ADVGRAD_CHECK(right - left >= 40 && bottom - top >= 40, who, ": ", o.width, "x", o.height,
                " leaves no room for the plot after the labels");
  auto px = [&](double x) { return left + static_cast<int>(std::lround((x - x_lo) / (x_hi - x_lo) * (right - left))); };
  auto py = [&](double y) {
    const double t = (std::clamp(y, o.y_min, o.y_max) - o.y_min) / (o.y_max - o.y_min);
    return bottom - static_cast<int>(std::lround(t * (bottom - top)));
  };

  Image img(o.width, o.height);
  if (!o.title.empty()) draw_text(img, (o.width - text_width(o.title, 2)) / 2, pad, o.title, kInk, 2);
  if (!o.y_label.empty()) draw_text(img, std::max(pad, left - y_tick_w / 2), top - th - 6, o.y_label, kInk);
  if (!o.x_label.empty())
    draw_text(img, (left + right - text_width(o.x_label)) / 2, o.height - pad - th, o.x_label, kInk);
  // Grid lines and ticks first, so that the data is drawn over them.
  for (int i = 0; i < yt.count; ++i) {
    const double v = yt.first + i * yt.step;
    const int y = py(v / y_scale);
    img.draw_line(left, y, right, y, kGrid);
    img.draw_line(left - 4, y, left, y, kInk);
    const std::string s = tick_text(v, yt.decimals, o.y_percent);
    draw_text(img, left - 7 - text_width(s), y - th / 2 + 1, s, kInk);
  }
  for (int i = 0; i < xt.count; ++i) {
    const double v = xt.first + i * xt.step;
    const int x = px(v);
    img.draw_line(x, top, x, bottom, kGrid);
    img.draw_line(x, bottom, x, bottom + 4, kInk);
    const std::string s = tick_text(v, xt.decimals, false);
    draw_text(img, x - text_width(s) / 2, bottom + 7, s, kInk);
  }
  img.draw_line(left, top, left, bottom, kInk);
  img.draw_line(left, bottom, right, bottom, kInk);

  for (std::size_t k = 0; k < series.size(); ++k) {
    const ChartSeries& s = series[k];
    const Rgb c = kPalette[k % std::size(kPalette)];
    for (std::size_t i = 0; i + 1 < s.x.size(); ++i) img.draw_line(px(s.x[i]), py(s.y[i]), px(s.x[i + 1]), py(s.y[i + 1]), c, 2);
    for (std::size_t i = 0; i < s.x.size(); ++i) img.fill_rect(px(s.x[i]) - 2, py(s.y[i]) - 2, 5, 5, c);
  }

  // Legend in the top-right corner of the plot, where falling robustness curves
  // leave room: a framed white box, one swatch and name per series.
  int name_w = 0;
  for (const ChartSeries& s : series) name_w = std::max(name_w, text_width(s.name));
  const int line = th + 4, box_w = 6 + 18 + 6 + name_w + 6, box_h = 4 + line * static_cast<int>(series.size()) + 2;
  const int bx = right - box_w - 4, by = top + 4;
  img.fill_rect(bx, by, box_w, box_h, {255, 255, 255});
  img.draw_line(bx, by, bx + box_w - 1, by, kFrame);
  img.draw_line(bx, by + box_h - 1, bx + box_w - 1, by + box_h - 1, kFrame);
  img.draw_line(bx, by, bx, by + box_h - 1, kFrame);
  img.draw_line(bx + box_w - 1, by, bx + box_w - 1, by + box_h - 1, kFrame);
  for (std::size_t k = 0; k < series.size(); ++k) {
    const int y = by + 4 + static_cast<int>(k) * line;
    const Rgb c = kPalette[k % std::size(kPalette)];
    img.draw_line(bx + 6, y + th / 2, bx + 24, y + th / 2, c, 2);
    draw_text(img, bx + 30, y, series[k].name, kInk);
  }
  return img;
}

}  // namespace advgrad::report
