#include "advgrad/data/image_ops.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "advgrad/core/error.h"

namespace advgrad::data {
namespace {

std::int64_t clamp_index(std::int64_t i, std::int64_t n) { return std::clamp<std::int64_t>(i, 0, n - 1); }

}  // namespace

double bilinear_zero(const float* image, const ImageShape& s, std::int64_t c, double x, double y) {
  const double fx = std::floor(x), fy = std::floor(y);
  const auto x0 = static_cast<std::int64_t>(fx), y0 = static_cast<std::int64_t>(fy);
  const double ax = x - fx, ay = y - fy;  // weights of the right / lower neighbours
  const float* plane = image + c * s.height * s.width;
  auto at = [&](std::int64_t xi, std::int64_t yi) -> double {
    if (xi < 0 || yi < 0 || xi >= s.width || yi >= s.height) return 0.0;
    return plane[yi * s.width + xi];
  };
  return (1 - ay) * ((1 - ax) * at(x0, y0) + ax * at(x0 + 1, y0)) +
         ay * ((1 - ax) * at(x0, y0 + 1) + ax * at(x0 + 1, y0 + 1));
}

std::vector<float> rotate_image(const float* image, const ImageShape& s, double degrees) {
  const double theta = degrees * std::numbers::pi / 180.0;
  const double cs = std::cos(theta), sn = std::sin(theta);
  const double cx = static_cast<double>(s.width - 1) / 2, cy = static_cast<double>(s.height - 1) / 2;
  std::vector<float> out(static_cast<std::size_t>(s.numel()));
  for (std::int64_t c = 0; c < s.channels; ++c)
    for (std::int64_t y = 0; y < s.height; ++y)
      for (std::int64_t x = 0; x < s.width; ++x) {
        const double dx = static_cast<double>(x) - cx, dy = static_cast<double>(y) - cy;
        // Inverse mapping: where in the input does this output pixel come from?
        const double sx = cx + cs * dx - sn * dy, sy = cy + sn * dx + cs * dy;
        out[(c * s.height + y) * s.width + x] = static_cast<float>(bilinear_zero(image, s, c, sx, sy));
      }
  return out;
}

std::vector<float> shift_image(const float* image, const ImageShape& s, std::int64_t dx, std::int64_t dy) {
  std::vector<float> out(static_cast<std::size_t>(s.numel()), 0.0f);
  for (std::int64_t c = 0; c < s.channels; ++c)
    for (std::int64_t y = 0; y < s.height; ++y) {
      const std::int64_t sy = y - dy;
      if (sy < 0 || sy >= s.height) continue;
      for (std::int64_t x = 0; x < s.width; ++x) {
        const std::int64_t sx = x - dx;
        if (sx >= 0 && sx < s.width) out[(c * s.height + y) * s.width + x] = image[(c * s.height + sy) * s.width + sx];
      }
    }
  return out;
}

std::vector<double> gaussian_kernel(double sigma) {
  ADVGRAD_CHECK(sigma > 0 && std::isfinite(sigma), "gaussian_kernel: sigma must be > 0, got ", sigma);
  const auto r = static_cast<std::int64_t>(std::ceil(3 * sigma));
  std::vector<double> k(static_cast<std::size_t>(2 * r + 1));
  double total = 0;
  for (std::int64_t t = -r; t <= r; ++t) total += k[t + r] = std::exp(-static_cast<double>(t * t) / (2 * sigma * sigma));
  for (double& v : k) v /= total;
  return k;
}

std::vector<float> gaussian_blur_image(const float* image, const ImageShape& s, double sigma) {
  const std::vector<double> k = gaussian_kernel(sigma);
  const auto r = static_cast<std::int64_t>(k.size() / 2);
  // Separable: a 2-D Gaussian is the product of two 1-D ones, so blurring rows
  // then columns costs 2(2r+1) instead of (2r+1)^2 multiplies per pixel.
  std::vector<double> rows(static_cast<std::size_t>(s.numel()));
  for (std::int64_t c = 0; c < s.channels; ++c)
    for (std::int64_t y = 0; y < s.height; ++y) {
      const float* line = image + (c * s.height + y) * s.width;
      for (std::int64_t x = 0; x < s.width; ++x) {
        double acc = 0;
        for (std::int64_t t = -r; t <= r; ++t) acc += k[t + r] * line[clamp_index(x + t, s.width)];
        rows[(c * s.height + y) * s.width + x] = acc;
      }
    }
  std::vector<float> out(static_cast<std::size_t>(s.numel()));
  for (std::int64_t c = 0; c < s.channels; ++c)
    for (std::int64_t y = 0; y < s.height; ++y)
      for (std::int64_t x = 0; x < s.width; ++x) {
        double acc = 0;
        for (std::int64_t t = -r; t <= r; ++t)
          acc += k[t + r] * rows[(c * s.height + clamp_index(y + t, s.height)) * s.width + x];
        out[(c * s.height + y) * s.width + x] = static_cast<float>(acc);
      }
  return out;
}

std::vector<float> contrast_image(const float* image, const ImageShape& s, double factor) {
  double m = 0;
  for (std::int64_t i = 0; i < s.numel(); ++i) m += image[i];
  m /= static_cast<double>(std::max<std::int64_t>(s.numel(), 1));
  std::vector<float> out(static_cast<std::size_t>(s.numel()));
  for (std::int64_t i = 0; i < s.numel(); ++i) out[i] = static_cast<float>(m + factor * (image[i] - m));
  return out;
}

}  // namespace advgrad::data
