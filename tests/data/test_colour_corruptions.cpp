// The image operations of ImageNet-C's corruptions (data/colour_corruptions.h),
// each against values worked out by hand on tiny images, plus the statistics
// of the random ones on larger random images.
#include "advgrad/data/colour_corruptions.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "expect_error.h"
#include "testing.h"

namespace advgrad::data {
namespace {

using testing::expect_error;

std::vector<float> random_image(const ImageShape& s, std::uint64_t salt) {
  return testing::random_tensor({s.channels, s.height, s.width}, salt, DType::Float32, 0, 1).to_vector<float>();
}

TEST(ColourCorruptions, GaussianNoiseIsBoxMullerOnTheGeneratorClamped) {
  const ImageShape s{1, 1, 3};
  const std::vector<float> x{0.5f, 0.0f, 1.0f};
  Generator gen(11), copy(11);
  const std::vector<float> out = gaussian_noise_image(x.data(), s, 0.1, gen);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double u1 = 1 - copy.next_double(), u2 = copy.next_double();
    const double z = std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
    EXPECT_NEAR(out[i], std::clamp(x[i] + 0.1 * z, 0.0, 1.0), 1e-6) << i;
  }
  // On a large mid-grey image the noise has the asked-for spread.
  const ImageShape big{3, 61, 67};
  const std::vector<float> grey(static_cast<std::size_t>(big.numel()), 0.5f);
  Generator g(21);
  const std::vector<float> noisy = gaussian_noise_image(grey.data(), big, 0.08, g);
  double m = 0, v = 0;
  for (float f : noisy) m += f - 0.5;
  m /= static_cast<double>(noisy.size());
  for (float f : noisy) v += (f - 0.5 - m) * (f - 0.5 - m);
  EXPECT_NEAR(m, 0.0, 0.005);
  EXPECT_NEAR(std::sqrt(v / static_cast<double>(noisy.size())), 0.08, 0.004);
}

TEST(ColourCorruptions, PoissonByInversionMatchesTheCumulativeTable) {
  // lambda = 2: P(K <= k) = 0.1353, 0.4060, 0.6767, 0.8571, 0.9473
  EXPECT_EQ(poisson_inverse(2, 0.0), 0);
  EXPECT_EQ(poisson_inverse(2, 0.13), 0);
  EXPECT_EQ(poisson_inverse(2, 0.2), 1);
  EXPECT_EQ(poisson_inverse(2, 0.5), 2);
  EXPECT_EQ(poisson_inverse(2, 0.8), 3);
  EXPECT_EQ(poisson_inverse(2, 0.9), 4);
  EXPECT_EQ(poisson_inverse(0, 0.999), 0);
  expect_error([] { poisson_inverse(-1, 0.5); }, {"poisson_inverse", "lambda"});
  expect_error([] { poisson_inverse(1, 1.0); }, {"poisson_inverse", "u in [0, 1)"});
}

TEST(ColourCorruptions, ShotNoiseKeepsBlackAndHasPoissonMeanAndVariance) {
  const ImageShape s{3, 59, 63};
  std::vector<float> x(static_cast<std::size_t>(s.numel()), 0.4f);
  x[0] = 0.0f;
  Generator gen(5);
  const std::vector<float> out = shot_noise_image(x.data(), s, 25, gen);
  EXPECT_EQ(out[0], 0.0f);  // Poisson(0) = 0: no photons, no noise
  double m = 0, v = 0;
  for (std::size_t i = 1; i < out.size(); ++i) m += out[i];
  m /= static_cast<double>(out.size() - 1);
  for (std::size_t i = 1; i < out.size(); ++i) v += (out[i] - m) * (out[i] - m);
  v /= static_cast<double>(out.size() - 1);
  EXPECT_NEAR(m, 0.4, 0.01);          // E[K / c] = x
  EXPECT_NEAR(v, 0.4 / 25, 0.0015);   // Var[K / c] = x / c
  // Every value is a whole number of photons over c.
  for (std::size_t i = 0; i < 50; ++i) EXPECT_NEAR(out[i] * 25, std::round(out[i] * 25), 1e-4);
}

TEST(ColourCorruptions, ImpulseNoiseSetsTheAskedShareToZeroOrOne) {
  // Value by value: u1 < amount picks it, then u2 < 0.5 makes it salt (1), else pepper (0).
  const std::vector<float> tiny{0.3f, 0.6f, 0.9f, 0.1f, 0.5f, 0.7f};
  Generator g(17), copy(17);
  const std::vector<float> picked = impulse_noise_image(tiny.data(), {2, 1, 3}, 0.5, g);
  for (std::size_t i = 0; i < tiny.size(); ++i) {
    const double u1 = copy.next_double(), u2 = copy.next_double();
    EXPECT_EQ(picked[i], u1 < 0.5 ? (u2 < 0.5 ? 1.0f : 0.0f) : tiny[i]) << i;
  }
  const ImageShape s{3, 41, 47};
  const std::vector<float> x = random_image(s, 31);
  Generator g0(1), g1(2), g2(3);
  EXPECT_EQ(impulse_noise_image(x.data(), s, 0.0, g0), x);
  for (float v : impulse_noise_image(x.data(), s, 1.0, g1)) EXPECT_TRUE(v == 0.0f || v == 1.0f);
  const std::vector<float> out = impulse_noise_image(x.data(), s, 0.17, g2);
  std::int64_t changed = 0, salt = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (out[i] != x[i]) ++changed, salt += out[i] == 1.0f;
  const double share = static_cast<double>(changed) / static_cast<double>(x.size());
  EXPECT_NEAR(share, 0.17, 0.015);
  EXPECT_NEAR(static_cast<double>(salt) / static_cast<double>(changed), 0.5, 0.05);
}

TEST(ColourCorruptions, DefocusKernelIsAnAntiAliasedDisk) {
  // Radius 1 holds the centre and its 4 neighbours (1^2 + 1^2 > 1). With a
  // vanishing alias sigma the 3 x 3 smoothing does nothing: a plus of 1/5.
  const ImageShape s{1, 5, 5};
  std::vector<float> dot(25, 0.0f);
  dot[12] = 1.0f;
  const std::vector<float> out = defocus_blur_image(dot.data(), s, 1.0, 0.05);
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 5; ++x) {
      const int d = std::abs(x - 2) + std::abs(y - 2);
      EXPECT_NEAR(out[y * 5 + x], d <= 1 ? 0.2 : 0.0, 1e-7) << x << "," << y;
    }
  // alias sigma 1: g = (e, 1, e) / (1 + 2e), e = exp(-1/2); the kernel's centre
  // collects g1 g1 from itself and g0 g1 from each of the 4 disk neighbours,
  // and the kernel sums to 5 before normalising.
  const double e = std::exp(-0.5), g0 = e / (1 + 2 * e), g1 = 1 / (1 + 2 * e);
  const std::vector<double> k = defocus_kernel(1.0, 1.0);  // 5 x 5, R = 2
  ASSERT_EQ(k.size(), 25u);
  EXPECT_NEAR(k[12], (g1 * g1 + 4 * g0 * g1) / 5, 1e-12);
  EXPECT_NEAR(k[0], 0.0, 1e-12);                   // (-2, -2): out of reach
  EXPECT_NEAR(k[6], (2 * g0 * g1 + g0 * g0) / 5, 1e-12);  // (-1, -1): next to two disk pixels and diagonal to the centre
  // A constant image stays constant (the border replicates).
  const ImageShape c{3, 9, 11};
  const std::vector<float> flat(static_cast<std::size_t>(c.numel()), 0.3f);
  for (float v : defocus_blur_image(flat.data(), c, 3, 0.5)) EXPECT_NEAR(v, 0.3f, 1e-6);
}

TEST(ColourCorruptions, MotionBlurIsAOneSidedGaussianStreak) {
  // radius 1: taps i = 0, 1, 2 with weights 1, e^-1/2, e^-2 (sigma 1).
  const double w0 = 1, w1 = std::exp(-0.5), w2 = std::exp(-2.0), t = w0 + w1 + w2;
  const std::vector<float> line{0, 0, 1, 0, 0};
  const std::vector<float> along_x = motion_blur_image(line.data(), {1, 1, 5}, 1, 1.0, 0);
  const std::vector<double> want{w2 / t, w1 / t, w0 / t, 0, 0};  // out(x) = sum_i w_i in(x + i)
  for (int x = 0; x < 5; ++x) EXPECT_NEAR(along_x[x], want[x], 1e-6) << x;
  const std::vector<float> along_y = motion_blur_image(line.data(), {1, 5, 1}, 1, 1.0, 90);
  for (int y = 0; y < 5; ++y) EXPECT_NEAR(along_y[y], want[y], 1e-6) << y;
  // At 90 degrees a horizontal line is untouched: every tap lands on its row.
  const std::vector<float> across = motion_blur_image(line.data(), {1, 1, 5}, 1, 1.0, 90);
  for (int x = 0; x < 5; ++x) EXPECT_NEAR(across[x], line[x], 1e-7);
}

TEST(ColourCorruptions, BrightnessRaisesHsvValueKeepingHueAndSaturation) {
  // Pixels (r, g, b): (0.2, 0.4, 0.6) + 0.1 -> V 0.6 -> 0.7, scale 7/6;
  // (0.5, 0.9, 0.1) + 0.3 -> V clipped at 1, scale 1/0.9; black + 0.3 -> grey 0.3.
  const ImageShape s{3, 1, 3};
  const std::vector<float> x{0.2f, 0.5f, 0.0f, 0.4f, 0.9f, 0.0f, 0.6f, 0.1f, 0.0f};  // planar [C, H, W]
  const std::vector<float> a = brightness_image(x.data(), s, 0.1);
  EXPECT_NEAR(a[0], 0.2 * 7 / 6, 1e-6);
  EXPECT_NEAR(a[3], 0.4 * 7 / 6, 1e-6);
  EXPECT_NEAR(a[6], 0.7, 1e-6);
  const std::vector<float> b = brightness_image(x.data(), s, 0.3);
  EXPECT_NEAR(b[1], 0.5 / 0.9, 1e-6);
  EXPECT_NEAR(b[4], 1.0, 1e-6);
  EXPECT_NEAR(b[7], 0.1 / 0.9, 1e-6);
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(b[c * 3 + 2], 0.3, 1e-6);
}

TEST(ColourCorruptions, ContrastPullsEachChannelTowardsItsOwnMean) {
  const ImageShape s{2, 1, 2};
  const std::vector<float> x{0.2f, 0.6f, 0.9f, 0.1f};  // means 0.4 and 0.5
  const std::vector<float> out = channel_contrast_image(x.data(), s, 0.25);
  EXPECT_NEAR(out[0], 0.4 - 0.05, 1e-6);
  EXPECT_NEAR(out[1], 0.4 + 0.05, 1e-6);
  EXPECT_NEAR(out[2], 0.5 + 0.1, 1e-6);
  EXPECT_NEAR(out[3], 0.5 - 0.1, 1e-6);
}

TEST(ColourCorruptions, FogAddsTheCloudAndRescalesByTheBrightestValue) {
  const ImageShape s{1, 2, 2};
  const std::vector<float> x{0.5f, 0.8f, 0.2f, 0.5f};
  const std::vector<double> cloud{0.0, 0.5, 9.0, 0.25, 1.0, 9.0};  // rows of 3, only the top-left 2 x 2 used
  const std::vector<float> out = fog_image(x.data(), s, 2.0, cloud, 3);
  const double scale = 0.8 / 2.8;
  EXPECT_NEAR(out[0], (0.5 + 0.0) * scale, 1e-6);
  EXPECT_NEAR(out[1], (0.8 + 2 * 0.5) * scale, 1e-6);
  EXPECT_NEAR(out[2], (0.2 + 2 * 0.25) * scale, 1e-6);
  EXPECT_NEAR(out[3], (0.5 + 2 * 1.0) * scale, 1e-6);
  expect_error([&] { fog_image(x.data(), s, 2.0, cloud, 1); }, {"fog_image", "does not cover"});
}

TEST(ColourCorruptions, PlasmaFractalSpansZeroToOneAndIsSeeded) {
  Generator a(4), b(4), c(5);
  const std::vector<double> p = plasma_fractal(64, 1.7, a);
  ASSERT_EQ(p.size(), 64u * 64u);
  EXPECT_EQ(p, plasma_fractal(64, 1.7, b));
  EXPECT_NE(p, plasma_fractal(64, 1.7, c));
  EXPECT_DOUBLE_EQ(*std::min_element(p.begin(), p.end()), 0.0);
  EXPECT_DOUBLE_EQ(*std::max_element(p.begin(), p.end()), 1.0);
  // A cloud, not noise: neighbours are closer than random pairs would be (|U - U'| averages 1/3).
  double step = 0;
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x + 1 < 64; ++x) step += std::abs(p[y * 64 + x] - p[y * 64 + x + 1]);
  EXPECT_LT(step / (64 * 63), 0.1);
  expect_error([&] { plasma_fractal(48, 2, a); }, {"plasma_fractal", "power of two"});
}

TEST(ColourCorruptions, BoxResamplingAveragesOverEachOutputsFootprint) {
  const std::vector<double> down = box_resample({1, 2, 3}, 2);  // [0, 1.5) and [1.5, 3)
  EXPECT_NEAR(down[0], (1 + 0.5 * 2) / 1.5, 1e-12);
  EXPECT_NEAR(down[1], (0.5 * 2 + 3) / 1.5, 1e-12);
  const std::vector<double> up = box_resample({4, 10}, 3);  // [0, 2/3), [2/3, 4/3), [4/3, 2)
  EXPECT_NEAR(up[0], 4, 1e-12);
  EXPECT_NEAR(up[1], 7, 1e-12);
  EXPECT_NEAR(up[2], 10, 1e-12);
  // Pixelating 4 x 4 by 1/2: each 2 x 2 block becomes its mean.
  std::vector<float> x(16);
  for (int i = 0; i < 16; ++i) x[i] = static_cast<float>(i) / 16;
  const std::vector<float> out = pixelate_image(x.data(), {1, 4, 4}, 0.5);
  for (int y = 0; y < 4; ++y)
    for (int xx = 0; xx < 4; ++xx) {
      const int by = y / 2 * 2, bx = xx / 2 * 2;
      const double mean = (x[by * 4 + bx] + x[by * 4 + bx + 1] + x[(by + 1) * 4 + bx] + x[(by + 1) * 4 + bx + 1]) / 4;
      EXPECT_NEAR(out[y * 4 + xx], mean, 1e-6) << xx << "," << y;
    }
}

}  // namespace
}  // namespace advgrad::data
