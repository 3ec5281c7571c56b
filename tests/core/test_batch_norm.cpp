// batch_norm beyond the op registry (tests/ops/cases_batch_norm.cpp checks
// its values and derivatives in training and eval mode): the running-statistics
// update, eval vs train, the fused vs composite backward, and bad inputs.
#include <cmath>

#include "expect_error.h"
#include "testing.h"

namespace advgrad {
namespace {

using testing::all_close;
using testing::expect_error;
using testing::random_tensor;

Tensor leaf(const Shape& s, std::uint64_t salt, double lo = -1.0, double hi = 1.0) {
  return random_tensor(s, salt, DType::Float64, lo, hi).requires_grad_(true);
}
Tensor doubles(const std::vector<double>& v, const Shape& s) { return from_vector(v, s, {.dtype = DType::Float64}); }

TEST(BatchNorm, RunningStatisticsUpdateLikePyTorch) {
  // Channel 0: 1, 2, 3, 6 (mean 3, biased var 3.5, unbiased 14/3); channel 1: 0, 0, 2, 2 (mean 1, var 1, unbiased 4/3).
  Tensor x = doubles({1, 0, 2, 0, 3, 2, 6, 2}, {4, 2});
  Tensor rm = doubles({0.5, -1.0}, {2}), rv = doubles({1.0, 2.0}, {2});
  Tensor y = batch_norm(x, Tensor(), Tensor(), rm, rv, true, 0.1, 0.0 + 1e-5);
  EXPECT_TRUE(all_close(rm, doubles({0.9 * 0.5 + 0.1 * 3, 0.9 * -1.0 + 0.1 * 1}, {2}), 1e-12, 1e-14));
  EXPECT_TRUE(all_close(rv, doubles({0.9 * 1.0 + 0.1 * 14.0 / 3.0, 0.9 * 2.0 + 0.1 * 4.0 / 3.0}, {2}), 1e-12, 1e-14));
  // Normalised with the biased variance.
  EXPECT_NEAR(y.at({3, 0}), (6 - 3) / std::sqrt(3.5 + 1e-5), 1e-12);
  EXPECT_NEAR(y.at({0, 1}), (0 - 1) / std::sqrt(1 + 1e-5), 1e-12);
  // Running statistics in float32 while the input is float64 still update.
  Tensor rm32 = zeros({2}), rv32 = ones({2});
  batch_norm(x, Tensor(), Tensor(), rm32, rv32, true, 1.0, 1e-5);
  EXPECT_TRUE(all_close(rm32, doubles({3, 1}, {2}).to(DType::Float32), 1e-6, 1e-6));
  EXPECT_TRUE(all_close(rv32, doubles({14.0 / 3.0, 4.0 / 3.0}, {2}).to(DType::Float32), 1e-6, 1e-6));
}

TEST(BatchNorm, EvalUsesRunningStatisticsAndLeavesThemAlone) {
  Tensor x = random_tensor({4, 3, 2, 2}, 20);
  Tensor w = random_tensor({3}, 21, DType::Float64, 0.5, 1.5), b = random_tensor({3}, 22);
  Tensor rm = doubles({0.1, -0.2, 0.3}, {3}), rv = doubles({0.5, 1.5, 2.0}, {3});
  Tensor y = batch_norm(x, w, b, rm, rv, false, 0.1, 1e-3);
  Tensor expected = (x - rm.reshape({1, 3, 1, 1})) / sqrt(rv.reshape({1, 3, 1, 1}) + 1e-3) * w.reshape({1, 3, 1, 1}) +
                    b.reshape({1, 3, 1, 1});
  EXPECT_TRUE(all_close(y, expected, 1e-12, 1e-12));
  EXPECT_EQ(rm.to_double_vector(), (std::vector<double>{0.1, -0.2, 0.3}));
  EXPECT_EQ(rv.to_double_vector(), (std::vector<double>{0.5, 1.5, 2.0}));
  // Training normalises with the batch: per channel mean 0 and biased variance ~1.
  Tensor yt = batch_norm(x, Tensor(), Tensor(), rm, rv, true, 0.1, 1e-8);
  for (double m : mean(yt, {0, 2, 3}).to_double_vector()) EXPECT_NEAR(m, 0.0, 1e-12);
  for (double v : var(yt, {0, 2, 3}, false, 0).to_double_vector()) EXPECT_NEAR(v, 1.0, 1e-6);
  EXPECT_FALSE(all_close(yt, y, 1e-3, 1e-3));
  // No running statistics: eval falls back to the batch's.
  Tensor none_m, none_v;
  EXPECT_TRUE(all_close(batch_norm(x, Tensor(), Tensor(), none_m, none_v, false, 0.1, 1e-8), yt, 1e-12, 1e-12));
}

TEST(BatchNorm, FusedFirstOrderBackwardMatchesComposite) {
  for (bool training : {true, false}) {
    Tensor x = leaf({3, 2, 2, 3}, 30), w = leaf({2}, 31, 0.5, 1.5), b = leaf({2}, 32);
    Tensor g = random_tensor({3, 2, 2, 3}, 33);
    auto loss = [&] {
      Tensor rm = doubles({0.2, -0.1}, {2}), rv = doubles({0.7, 1.3}, {2});
      return sum(mul(batch_norm(x, w, b, rm, rv, training), g));
    };
    auto fused = autograd::grad({loss()}, {x, w, b});
    auto composite = autograd::grad({loss()}, {x, w, b}, {}, {.create_graph = true});
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(all_close(fused[i], composite[i].detach(), 1e-10, 1e-12)) << i;
  }
}

TEST(BatchNorm, BadInputs) {
  Tensor x = random_tensor({4, 3, 2, 2}, 40);
  Tensor rm = zeros({3}, {.dtype = DType::Float64}), rv = ones({3}, {.dtype = DType::Float64});
  Tensor none;
  expect_error([&] { batch_norm(x, random_tensor({4}, 41), Tensor(), rm, rv, true); },
               {"batch_norm: weight of shape [4] does not match the 3 channels of input [4, 3, 2, 2] (expected [3])"});
  expect_error([&] { batch_norm(x, Tensor(), random_tensor({3, 1}, 42), rm, rv, true); }, {"batch_norm: bias of shape [3, 1]"});
  Tensor bad_rm = zeros({2});
  expect_error([&] { batch_norm(x, Tensor(), Tensor(), bad_rm, rv, true); }, {"batch_norm: running_mean of shape [2]"});
  expect_error([&] { batch_norm(x, Tensor(), Tensor(), rm, none, true); }, {"running_mean and running_var must both be given"});
  expect_error([&] { batch_norm(random_tensor({3}, 43), Tensor(), Tensor(), rm, rv, true); },
               {"batch_norm: expected input of shape [N, C] or [N, C, H, W], got [3]"});
  expect_error([&] { batch_norm(random_tensor({1, 3}, 44), Tensor(), Tensor(), rm, rv, true); },
               {"batch_norm: expected more than 1 value per channel when training"});
  expect_error([&] { batch_norm(x, random_tensor({3}, 45, DType::Float32), Tensor(), rm, rv, true); },
               {"batch_norm: weight is float32 but the input is float64"});
  expect_error([&] { batch_norm(x, Tensor(), Tensor(), rm, rv, true, 1.5); }, {"batch_norm: momentum must be in [0, 1]"});
}

}  // namespace
}  // namespace advgrad
