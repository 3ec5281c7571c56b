// The gradient probe: dL/dx statistics, per-layer gradients, and autograd
// against central finite differences.
#include <cmath>

#include "advgrad/attacks/gradient_probe.h"
#include "advgrad/nn/models.h"
#include "attacks/smooth_mlp.h"
#include "testing.h"

namespace advgrad::attacks {
namespace {

using testing::smooth_mlp;

TEST(GradientProbe, FiniteDifferencesMatchAutograd) {
  auto model = smooth_mlp(3);
  Generator gen(4);
  Tensor x = rand({2, 1, 8, 8}, gen, {.dtype = DType::Float64});
  Tensor y = from_vector(std::vector<std::int64_t>{2, 5}, {2});
  for (const auto& p : finite_difference_check(*model, x, y, {0, 17, 63}, 1e-5))
    EXPECT_NEAR(p.autograd, p.finite_difference, 1e-6 + 1e-4 * std::fabs(p.autograd)) << "pixel " << p.index;
  EXPECT_THROW(finite_difference_check(*model, x, y, {64}), Error);
}

TEST(GradientProbe, ReportsNormsAndMasking) {
  nn::ModelConfig c;  // small-cnn with ReLU and max-pooling: many exact zeros in dL/dx
  c.height = c.width = 12;
  auto model = nn::build_model(c);
  Generator gen(5);
  Tensor x = rand({4, 1, 12, 12}, gen);
  Tensor y = randint(0, 10, {4}, gen);
  GradientProbe p = probe_gradients(*model, x, y);
  ASSERT_EQ(p.l2.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_LE(p.linf[i], p.l2[i] + 1e-9);
    EXPECT_LE(p.l2[i], p.l1[i] + 1e-9);
  }
  EXPECT_GE(p.zero_fraction, 0.0);
  EXPECT_LT(p.zero_fraction, 1.0);
  ASSERT_EQ(p.layers.size(), model->named_children().size());
  EXPECT_EQ(p.layers.front().type, "Conv2d");
  // The gradient reaching the first conv's output has passed ReLU's mask and the
  // max-pool routing: a good share of it is exactly zero.
  EXPECT_GT(p.layers.front().zero_fraction, 0.3);
  for (auto& param : model->parameters()) EXPECT_FALSE(param.grad().defined());
}

TEST(GradientProbe, PixelsAreOnTheCentreRow) {
  EXPECT_EQ(probe_pixels(28, 28), (std::vector<std::int64_t>{14 * 28 + 7, 14 * 28 + 14, 14 * 28 + 21}));
  EXPECT_EQ(probe_pixels(3, 2), (std::vector<std::int64_t>{2 + 0, 2 + 1}));
}

// The CLI's probe: the float32 model's gradient next to the float64 copy's
// autograd and finite difference, which agree closely; the float32 one agrees
// to float32 precision.
TEST(GradientProbe, Float32GradientBesideFloat64FiniteDifferences) {
  auto model = smooth_mlp(6, DType::Float32);
  auto model64 = smooth_mlp(6, DType::Float64);
  Generator gen(7);
  Tensor x = rand({2, 1, 8, 8}, gen);
  Tensor y = from_vector(std::vector<std::int64_t>{3, 8}, {2});
  const InputGradientReport r = probe_input_gradient(*model, *model64, x, y);
  EXPECT_EQ(r.probe.l2.size(), 2u);
  ASSERT_EQ(r.pixels.size(), 3u);  // columns 2, 4 and 6 of row 4
  for (const auto& p : r.pixels) {
    EXPECT_NEAR(p.autograd, p.finite_difference, 1e-7 + 1e-5 * std::fabs(p.autograd)) << "pixel " << p.index;
    EXPECT_NEAR(p.autograd_model_dtype, p.autograd, 1e-6 + 1e-4 * std::fabs(p.autograd)) << "pixel " << p.index;
  }
  EXPECT_THROW(probe_input_gradient(*model, *model64, x.reshape({2, 64}), y), Error);
}

}  // namespace
}  // namespace advgrad::attacks
