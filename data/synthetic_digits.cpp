// The built-in synthetic digits: the default data set, so the main job runs
// offline. Each glyph 0-9 is a set of strokes (polylines in a unit box); an
// image draws one glyph with a random affine transform (rotation, scale,
// shear, shift), a random stroke width, anti-aliased edges and pixel noise.
// Everything comes from one Generator, so a seed fixes the data set.
#include <array>
#include <cmath>
#include <numbers>

#include "advgrad/core/generator.h"
#include "advgrad/data/dataset.h"

namespace advgrad::data {
namespace {

struct Point {
  double x, y;
};
using Stroke = std::vector<Point>;

std::vector<Stroke> circle(double cx, double cy, double rx, double ry, int n = 16) {
  Stroke s;
  for (int i = 0; i <= n; ++i) {
    const double a = 2 * std::numbers::pi * i / n;
    s.push_back({cx + rx * std::cos(a), cy + ry * std::sin(a)});
  }
  return {s};
}

const std::array<std::vector<Stroke>, 10>& glyphs() {
  static const std::array<std::vector<Stroke>, 10> g = [] {
    std::array<std::vector<Stroke>, 10> d;
    d[0] = circle(0.5, 0.5, 0.25, 0.38);
    d[1] = {{{0.35, 0.25}, {0.52, 0.1}, {0.52, 0.9}}};
    d[2] = {{{0.25, 0.3}, {0.35, 0.14}, {0.65, 0.14}, {0.75, 0.3}, {0.7, 0.45}, {0.25, 0.9}, {0.78, 0.9}}};
    d[3] = {{{0.25, 0.14}, {0.75, 0.14}, {0.5, 0.45}, {0.75, 0.6}, {0.7, 0.85}, {0.5, 0.92}, {0.25, 0.82}}};
    d[4] = {{{0.65, 0.9}, {0.65, 0.1}, {0.2, 0.65}, {0.82, 0.65}}};
    d[5] = {{{0.75, 0.1}, {0.32, 0.1}, {0.28, 0.45}, {0.6, 0.42}, {0.75, 0.6}, {0.7, 0.85}, {0.45, 0.92}, {0.25, 0.82}}};
    d[6] = {{{0.7, 0.12}, {0.42, 0.25}, {0.28, 0.55}, {0.3, 0.8}, {0.5, 0.91}, {0.7, 0.8}, {0.72, 0.6}, {0.5, 0.5},
             {0.3, 0.6}}};
    d[7] = {{{0.25, 0.12}, {0.76, 0.12}, {0.45, 0.9}}};
    d[8] = circle(0.5, 0.29, 0.17, 0.16);
    d[8].push_back(circle(0.5, 0.68, 0.21, 0.22)[0]);
    d[9] = circle(0.5, 0.33, 0.2, 0.19);
    d[9].push_back({{0.7, 0.35}, {0.6, 0.9}});
    return d;
  }();
  return g;
}

double segment_distance(Point p, Point a, Point b) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0;
  t = std::clamp(t, 0.0, 1.0);
  const double ex = a.x + t * dx - p.x, ey = a.y + t * dy - p.y;
  return std::sqrt(ex * ex + ey * ey);
}

double uniform_in(Generator& gen, double lo, double hi) { return lo + (hi - lo) * gen.next_double(); }

void draw_digit(int digit, Generator& gen, std::uint8_t* out) {
  constexpr int kSide = 28;
  // Unit box -> a ~20 px glyph centred in the image, then random affine jitter.
  const double angle = uniform_in(gen, -0.25, 0.25), scale = uniform_in(gen, 0.8, 1.15);
  const double shear = uniform_in(gen, -0.2, 0.2);
  const double tx = uniform_in(gen, -2.5, 2.5), ty = uniform_in(gen, -2.5, 2.5);
  const double width = uniform_in(gen, 1.5, 3.2), noise = uniform_in(gen, 0.02, 0.1);
  const double c = std::cos(angle) * scale * 20, s = std::sin(angle) * scale * 20;
  std::vector<std::pair<Point, Point>> segments;
  for (const Stroke& stroke : glyphs()[digit]) {
    std::vector<Point> pts;
    for (Point p : stroke) {
      const double x = p.x - 0.5 + shear * (p.y - 0.5), y = p.y - 0.5;
      pts.push_back({14 + tx + c * x - s * y, 14 + ty + s * x + c * y});
    }
    for (std::size_t i = 1; i < pts.size(); ++i) segments.emplace_back(pts[i - 1], pts[i]);
  }
  for (int py = 0; py < kSide; ++py)
    for (int px = 0; px < kSide; ++px) {
      const Point p{px + 0.5, py + 0.5};
      double d = 1e9;
      for (const auto& [a, b] : segments) d = std::min(d, segment_distance(p, a, b));
      double v = std::clamp(width / 2 + 0.5 - d, 0.0, 1.0);  // one pixel of anti-aliasing
      // Noise: small uniform jitter on every pixel (mean 0).
      v = std::clamp(v + noise * (2 * gen.next_double() - 1), 0.0, 1.0);
      out[py * kSide + px] = static_cast<std::uint8_t>(std::lround(v * 255));
    }
}

Dataset make_set(std::int64_t n, Generator& gen, const std::string& name) {
  Dataset d;
  d.name = name;
  d.class_names = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  d.pixels.resize(static_cast<std::size_t>(n) * 28 * 28);
  d.labels.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const int digit = static_cast<int>(i % 10);  // balanced classes, order shuffled by the loader
    d.labels[i] = digit;
    draw_digit(digit, gen, d.pixels.data() + i * 28 * 28);
  }
  return d;
}

}  // namespace

Split make_synthetic_digits(std::int64_t train_size, std::int64_t test_size, std::uint64_t seed) {
  ADVGRAD_CHECK(train_size >= 0 && test_size >= 0, "synthetic digits: sizes must be >= 0");
  Generator train_gen(seed * 2 + 1), test_gen(seed * 2 + 2);  // independent streams
  return {make_set(train_size, train_gen, "synthetic"), make_set(test_size, test_gen, "synthetic")};
}

}  // namespace advgrad::data
