#include "advgrad/data/colour_corruptions.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "advgrad/core/error.h"

namespace advgrad::data {
namespace {

std::int64_t clamp_index(std::int64_t i, std::int64_t n) { return std::clamp<std::int64_t>(i, 0, n - 1); }

float unit(double v) { return static_cast<float>(std::clamp(v, 0.0, 1.0)); }

std::vector<float> clamped_copy(const std::vector<double>& v) {
  std::vector<float> out(v.size());
  std::transform(v.begin(), v.end(), out.begin(), unit);
  return out;
}

void check_image(const ImageShape& s, const char* who) {
  ADVGRAD_CHECK(s.channels >= 1 && s.height >= 1 && s.width >= 1, who, ": image shape must be positive, got [",
                s.channels, ", ", s.height, ", ", s.width, "]");
}

// Box-Muller, u1 in (0, 1] so that the log is finite.
double standard_normal(Generator& gen) {
  const double u1 = 1.0 - gen.next_double(), u2 = gen.next_double();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
}

// A 2-D kernel (2r + 1) x (2r + 1), row-major, applied to every channel with
// the border replicating the edge pixel.
std::vector<float> convolve(const float* image, const ImageShape& s, const std::vector<double>& k, std::int64_t r) {
  std::vector<double> out(static_cast<std::size_t>(s.numel()));
  const std::int64_t side = 2 * r + 1;
  for (std::int64_t c = 0; c < s.channels; ++c) {
    const float* plane = image + c * s.height * s.width;
    for (std::int64_t y = 0; y < s.height; ++y)
      for (std::int64_t x = 0; x < s.width; ++x) {
        double acc = 0;
        for (std::int64_t dy = -r; dy <= r; ++dy) {
          const float* row = plane + clamp_index(y + dy, s.height) * s.width;
          for (std::int64_t dx = -r; dx <= r; ++dx) {
            const double w = k[static_cast<std::size_t>((dy + r) * side + dx + r)];
            if (w != 0) acc += w * row[clamp_index(x + dx, s.width)];
          }
        }
        out[static_cast<std::size_t>((c * s.height + y) * s.width + x)] = acc;
      }
  }
  return clamped_copy(out);
}

}  // namespace

std::vector<float> gaussian_noise_image(const float* image, const ImageShape& s, double sigma, Generator& gen) {
  check_image(s, "gaussian_noise_image");
  ADVGRAD_CHECK(sigma >= 0 && std::isfinite(sigma), "gaussian_noise_image: sigma must be >= 0, got ", sigma);
  std::vector<float> out(static_cast<std::size_t>(s.numel()));
  for (std::int64_t i = 0; i < s.numel(); ++i) out[i] = unit(image[i] + sigma * standard_normal(gen));
  return out;
}

std::int64_t poisson_inverse(double lambda, double u) {
  ADVGRAD_CHECK(lambda >= 0 && lambda <= 700 && u >= 0 && u < 1, "poisson_inverse: need 0 <= lambda <= 700 ",
                "(e^-lambda must not underflow) and u in [0, 1), got ", lambda, " and ", u);
  // P(K = k) = e^-lambda lambda^k / k!, built up term by term.
  double p = std::exp(-lambda), cdf = p;
  std::int64_t k = 0;
  while (cdf <= u && p > 0) {
    ++k;
    p *= lambda / static_cast<double>(k);
    cdf += p;
  }
  return k;
}

std::vector<float> shot_noise_image(const float* image, const ImageShape& s, double photons, Generator& gen) {
  check_image(s, "shot_noise_image");
  ADVGRAD_CHECK(photons > 0 && photons <= 700, "shot_noise_image: photons must be in (0, 700], got ", photons);
  std::vector<float> out(static_cast<std::size_t>(s.numel()));
  for (std::int64_t i = 0; i < s.numel(); ++i) {
    const double lambda = photons * std::clamp(static_cast<double>(image[i]), 0.0, 1.0);
    out[i] = unit(static_cast<double>(poisson_inverse(lambda, gen.next_double())) / photons);
  }
  return out;
}

std::vector<float> impulse_noise_image(const float* image, const ImageShape& s, double amount, Generator& gen) {
  check_image(s, "impulse_noise_image");
  ADVGRAD_CHECK(amount >= 0 && amount <= 1, "impulse_noise_image: amount must be in [0, 1], got ", amount);
  std::vector<float> out(static_cast<std::size_t>(s.numel()));
  for (std::int64_t i = 0; i < s.numel(); ++i) {
    const double pick = gen.next_double(), salt = gen.next_double();
    out[i] = pick < amount ? (salt < 0.5 ? 1.0f : 0.0f) : unit(image[i]);
  }
  return out;
}

std::vector<double> defocus_kernel(double radius, double alias_sigma) {
  ADVGRAD_CHECK(radius >= 0.5 && radius <= 64 && alias_sigma > 0 && std::isfinite(alias_sigma),
                "defocus_kernel: need radius in [0.5, 64] and alias_sigma > 0, got ", radius, " and ", alias_sigma);
  const auto r = static_cast<std::int64_t>(std::ceil(radius)) + 1;  // the disk plus the 3 x 3 smoothing's reach
  const std::int64_t side = 2 * r + 1;
  std::vector<double> disk(static_cast<std::size_t>(side * side), 0.0);
  for (std::int64_t dy = -r; dy <= r; ++dy)
    for (std::int64_t dx = -r; dx <= r; ++dx)
      if (static_cast<double>(dx * dx + dy * dy) <= radius * radius) disk[(dy + r) * side + dx + r] = 1.0;
  // The 3 x 3 Gaussian g(t) ~ exp(-t^2 / (2 sigma^2)), t in {-1, 0, 1}, separable.
  const double edge = std::exp(-1.0 / (2 * alias_sigma * alias_sigma));
  const double g[3] = {edge / (1 + 2 * edge), 1 / (1 + 2 * edge), edge / (1 + 2 * edge)};
  std::vector<double> k(disk.size(), 0.0);
  double total = 0;
  for (std::int64_t y = 0; y < side; ++y)
    for (std::int64_t x = 0; x < side; ++x) {
      double acc = 0;
      for (std::int64_t a = -1; a <= 1; ++a)
        for (std::int64_t b = -1; b <= 1; ++b) {
          const std::int64_t yy = y + a, xx = x + b;
          if (yy >= 0 && yy < side && xx >= 0 && xx < side) acc += g[a + 1] * g[b + 1] * disk[yy * side + xx];
        }
      total += k[y * side + x] = acc;
    }
  for (double& v : k) v /= total;
  return k;
}

std::vector<float> defocus_blur_image(const float* image, const ImageShape& s, double radius, double alias_sigma) {
  check_image(s, "defocus_blur_image");
  const std::vector<double> k = defocus_kernel(radius, alias_sigma);
  return convolve(image, s, k, static_cast<std::int64_t>(std::ceil(radius)) + 1);
}

std::vector<float> motion_blur_image(const float* image, const ImageShape& s, std::int64_t radius, double sigma,
                                     double angle_degrees) {
  check_image(s, "motion_blur_image");
  ADVGRAD_CHECK(radius >= 1 && radius <= 256 && sigma > 0 && std::isfinite(sigma) && std::isfinite(angle_degrees),
                "motion_blur_image: need radius in [1, 256], sigma > 0 and a finite angle, got ", radius, ", ",
                sigma, " and ", angle_degrees);
  const std::int64_t taps = 2 * radius + 1;
  const double a = angle_degrees * std::numbers::pi / 180.0;
  std::vector<double> w(static_cast<std::size_t>(taps));
  std::vector<std::int64_t> ox(w.size()), oy(w.size());
  double total = 0;
  for (std::int64_t i = 0; i < taps; ++i) {
    total += w[i] = std::exp(-static_cast<double>(i * i) / (2 * sigma * sigma));
    ox[i] = std::lround(static_cast<double>(i) * std::cos(a));
    oy[i] = std::lround(static_cast<double>(i) * std::sin(a));
  }
  std::vector<double> out(static_cast<std::size_t>(s.numel()));
  for (std::int64_t c = 0; c < s.channels; ++c) {
    const float* plane = image + c * s.height * s.width;
    for (std::int64_t y = 0; y < s.height; ++y)
      for (std::int64_t x = 0; x < s.width; ++x) {
        double acc = 0;
        for (std::int64_t i = 0; i < taps; ++i)
          acc += w[i] * plane[clamp_index(y + oy[i], s.height) * s.width + clamp_index(x + ox[i], s.width)];
        out[static_cast<std::size_t>((c * s.height + y) * s.width + x)] = acc / total;
      }
  }
  return clamped_copy(out);
}

std::vector<float> brightness_image(const float* image, const ImageShape& s, double delta) {
  check_image(s, "brightness_image");
  ADVGRAD_CHECK(std::isfinite(delta), "brightness_image: delta must be finite, got ", delta);
  const std::int64_t plane = s.height * s.width;
  std::vector<float> out(static_cast<std::size_t>(s.numel()));
  for (std::int64_t p = 0; p < plane; ++p) {
    double v = 0;
    for (std::int64_t c = 0; c < s.channels; ++c) v = std::max(v, std::clamp<double>(image[c * plane + p], 0, 1));
    const double v2 = std::clamp(v + delta, 0.0, 1.0);
    for (std::int64_t c = 0; c < s.channels; ++c)
      out[c * plane + p] = v > 0 ? unit(std::clamp<double>(image[c * plane + p], 0, 1) * v2 / v) : unit(v2);
  }
  return out;
}

std::vector<float> channel_contrast_image(const float* image, const ImageShape& s, double factor) {
  check_image(s, "channel_contrast_image");
  const std::int64_t plane = s.height * s.width;
  std::vector<float> out(static_cast<std::size_t>(s.numel()));
  for (std::int64_t c = 0; c < s.channels; ++c) {
    const float* in = image + c * plane;
    double m = 0;
    for (std::int64_t p = 0; p < plane; ++p) m += in[p];
    m /= static_cast<double>(plane);
    for (std::int64_t p = 0; p < plane; ++p) out[c * plane + p] = unit(m + factor * (in[p] - m));
  }
  return out;
}

std::vector<double> plasma_fractal(std::int64_t size, double decay, Generator& gen) {
  ADVGRAD_CHECK(size >= 2 && size <= 8192 && (size & (size - 1)) == 0 && decay > 0 && std::isfinite(decay),
                "plasma_fractal: size must be a power of two in [2, 8192] and decay > 0, got ", size, " and ", decay);
  std::vector<double> m(static_cast<std::size_t>(size * size), 0.0);
  const auto at = [&](std::int64_t y, std::int64_t x) -> double& {
    return m[static_cast<std::size_t>(((y % size + size) % size) * size + (x % size + size) % size)];
  };
  const auto draw = [&](double a) { return a * (2 * gen.next_double() - 1); };
  double amplitude = 1;
  for (std::int64_t step = size; step >= 2; step /= 2) {
    const std::int64_t h = step / 2;
    // Squares: each square's centre from its four corners.
    for (std::int64_t y = 0; y < size; y += step)
      for (std::int64_t x = 0; x < size; x += step)
        at(y + h, x + h) =
            (at(y, x) + at(y, x + step) + at(y + step, x) + at(y + step, x + step)) / 4 + draw(amplitude);
    // Diamonds: each edge midpoint from the two corners and the two centres beside it.
    for (std::int64_t y = 0; y < size; y += step)
      for (std::int64_t x = 0; x < size; x += step) {
        at(y, x + h) = (at(y, x) + at(y, x + step) + at(y - h, x + h) + at(y + h, x + h)) / 4 + draw(amplitude);
        at(y + h, x) = (at(y, x) + at(y + step, x) + at(y + h, x - h) + at(y + h, x + h)) / 4 + draw(amplitude);
      }
    amplitude /= decay * decay;
  }
  const auto [lo, hi] = std::minmax_element(m.begin(), m.end());
  const double low = *lo, span = *hi - *lo;
  for (double& v : m) v = span > 0 ? (v - low) / span : 0.0;
  return m;
}

std::vector<float> fog_image(const float* image, const ImageShape& s, double strength, const std::vector<double>& cloud,
                             std::int64_t cloud_width) {
  check_image(s, "fog_image");
  ADVGRAD_CHECK(strength >= 0 && std::isfinite(strength), "fog_image: strength must be >= 0, got ", strength);
  ADVGRAD_CHECK(cloud_width >= s.width && static_cast<std::int64_t>(cloud.size()) >= cloud_width * s.height,
                "fog_image: the cloud (", cloud.size(), " values, rows of ", cloud_width, ") does not cover a ",
                s.height, " x ", s.width, " image");
  const double top = *std::max_element(image, image + s.numel());
  const double scale = top + strength > 0 ? top / (top + strength) : 0.0;
  std::vector<float> out(static_cast<std::size_t>(s.numel()));
  for (std::int64_t c = 0; c < s.channels; ++c)
    for (std::int64_t y = 0; y < s.height; ++y)
      for (std::int64_t x = 0; x < s.width; ++x) {
        const std::int64_t i = (c * s.height + y) * s.width + x;
        out[i] = unit((image[i] + strength * cloud[static_cast<std::size_t>(y * cloud_width + x)]) * scale);
      }
  return out;
}

std::vector<float> fog_image(const float* image, const ImageShape& s, double strength, double decay, Generator& gen) {
  check_image(s, "fog_image");
  std::int64_t size = 2;
  while (size < std::max(s.height, s.width)) size *= 2;
  return fog_image(image, s, strength, plasma_fractal(size, decay, gen), size);
}

std::vector<double> box_resample(const std::vector<double>& line, std::int64_t m) {
  const auto n = static_cast<std::int64_t>(line.size());
  ADVGRAD_CHECK(n >= 1 && m >= 1, "box_resample: need at least one value in and out, got ", n, " and ", m);
  std::vector<double> out(static_cast<std::size_t>(m));
  const double scale = static_cast<double>(n) / static_cast<double>(m);
  for (std::int64_t j = 0; j < m; ++j) {
    const double a = static_cast<double>(j) * scale, b = static_cast<double>(j + 1) * scale;
    double acc = 0;
    for (auto i = static_cast<std::int64_t>(std::floor(a)); i < n && static_cast<double>(i) < b; ++i)
      acc += line[i] * (std::min(b, static_cast<double>(i + 1)) - std::max(a, static_cast<double>(i)));
    out[j] = acc / (b - a);
  }
  return out;
}

std::vector<float> pixelate_image(const float* image, const ImageShape& s, double factor) {
  check_image(s, "pixelate_image");
  ADVGRAD_CHECK(factor > 0 && factor <= 1, "pixelate_image: factor must be in (0, 1], got ", factor);
  const std::int64_t w = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(factor * s.width)));
  const std::int64_t h = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(factor * s.height)));
  // Resamples a H x W plane through h x w and back, rows then columns each time.
  const auto resize = [](const std::vector<double>& plane, std::int64_t H, std::int64_t W, std::int64_t H2,
                         std::int64_t W2) {
    std::vector<double> rows(static_cast<std::size_t>(H * W2)), out(static_cast<std::size_t>(H2 * W2));
    for (std::int64_t y = 0; y < H; ++y) {
      const std::vector<double> r = box_resample({plane.begin() + y * W, plane.begin() + (y + 1) * W}, W2);
      std::copy(r.begin(), r.end(), rows.begin() + y * W2);
    }
    std::vector<double> column(static_cast<std::size_t>(H));
    for (std::int64_t x = 0; x < W2; ++x) {
      for (std::int64_t y = 0; y < H; ++y) column[y] = rows[y * W2 + x];
      const std::vector<double> r = box_resample(column, H2);
      for (std::int64_t y = 0; y < H2; ++y) out[y * W2 + x] = r[y];
    }
    return out;
  };
  std::vector<double> out;
  out.reserve(static_cast<std::size_t>(s.numel()));
  for (std::int64_t c = 0; c < s.channels; ++c) {
    const float* in = image + c * s.height * s.width;
    const std::vector<double> plane(in, in + s.height * s.width);
    const std::vector<double> back = resize(resize(plane, s.height, s.width, h, w), h, w, s.height, s.width);
    out.insert(out.end(), back.begin(), back.end());
  }
  return clamped_copy(out);
}

}  // namespace advgrad::data
