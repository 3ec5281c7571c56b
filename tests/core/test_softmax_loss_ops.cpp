// softmax, log_softmax and the losses beyond the op registry
// (tests/ops/cases_softmax_loss.cpp checks their values and derivatives):
// hand-computed values, stability at large logits, fused-vs-composite
// agreement of the first-order backward, and bad inputs.
#include <cmath>

#include "expect_error.h"
#include "testing.h"

namespace advgrad {
namespace {

using testing::all_close;
using testing::expect_error;
using testing::random_tensor;

Tensor leaf(const Shape& s, std::uint64_t salt, double lo = -2.0, double hi = 2.0) {
  return random_tensor(s, salt, DType::Float64, lo, hi).requires_grad_(true);
}
Tensor ints(const std::vector<std::int64_t>& v, const Shape& s) { return from_vector(v, s); }
Tensor doubles(const std::vector<double>& v, const Shape& s) { return from_vector(v, s, {.dtype = DType::Float64}); }

TEST(SoftmaxOps, ValuesAreStableAndNormalised) {
  Tensor x = doubles({1000, 1001, 1002, -1000, 0, 1000}, {2, 3});
  Tensor p = softmax(x, 1);
  const auto v = p.to_double_vector();
  for (double e : v) EXPECT_TRUE(std::isfinite(e));
  const double z = 1 + std::exp(-1.0) + std::exp(-2.0);
  EXPECT_NEAR(v[2], 1 / z, 1e-12);
  EXPECT_NEAR(v[0], std::exp(-2.0) / z, 1e-12);
  EXPECT_NEAR(v[5], 1.0, 1e-12);
  EXPECT_NEAR(log_softmax(x, 1).at({0, 2}), -std::log(z), 1e-12);
  Tensor f32 = softmax(random_tensor({5, 9}, 5, DType::Float32, -30, 30), 0);
  auto col_sums = sum(f32, {0}).to_double_vector();
  for (double s : col_sums) EXPECT_NEAR(s, 1.0, 1e-5);
}

TEST(SoftmaxOps, FusedFirstOrderBackwardMatchesComposite) {
  for (bool log : {false, true}) {
    Tensor x = leaf({3, 5, 4}, 6);
    Tensor w = random_tensor({3, 5, 4}, 7);
    auto loss = [&] { return sum(mul(log ? log_softmax(x, 1) : softmax(x, 1), w)); };
    Tensor fused = autograd::grad({loss()}, {x})[0];
    Tensor composite = autograd::grad({loss()}, {x}, {}, {.create_graph = true})[0];
    EXPECT_TRUE(all_close(fused, composite.detach(), 1e-12, 1e-12));
  }
}

TEST(LossOps, CrossEntropyHandComputed) {
  // logits [[1, 2, 3], [1, 0, -1]], labels [2, 1]. Both rows have
  // logsumexp = max + log(1 + e^-1 + e^-2) = max + 0.40760596...
  Tensor logits = doubles({1, 2, 3, 1, 0, -1}, {2, 3});
  Tensor labels = ints({2, 1}, {2});
  const double l = std::log(1 + std::exp(-1.0) + std::exp(-2.0));
  EXPECT_NEAR(l, 0.4076059644, 1e-9);
  const double loss0 = l, loss1 = 1 + l;  // lse - logit[label]
  EXPECT_NEAR(cross_entropy(logits, labels).item(), (loss0 + loss1) / 2, 1e-12);
  EXPECT_NEAR(cross_entropy(logits, labels).item(), 0.9076059644, 1e-9);
  EXPECT_NEAR(cross_entropy(logits, labels, Reduction::Sum).item(), loss0 + loss1, 1e-12);
  auto none = cross_entropy(logits, labels, Reduction::None).to_double_vector();
  EXPECT_NEAR(none[0], loss0, 1e-12);
  EXPECT_NEAR(none[1], loss1, 1e-12);
  // Label smoothing s: (1 - s) nll + s mean_c(-lp_c); mean_c(-lp_c) = lse - mean(logits).
  const double s = 0.1;
  const double smooth0 = (1 - s) * loss0 + s * (3 + l - 2), smooth1 = (1 - s) * loss1 + s * (1 + l - 0);
  EXPECT_NEAR(cross_entropy(logits, labels, Reduction::Mean, s).item(), (smooth0 + smooth1) / 2, 1e-12);
  EXPECT_NEAR(smooth0, 0.5076059644, 1e-9);
  // Gradient of the mean: (softmax - onehot) / N, and with smoothing the target is (1-s) onehot + s/C.
  Tensor x = logits.detach().clone().requires_grad_(true);
  Tensor g = autograd::grad({cross_entropy(x, labels, Reduction::Mean, s)}, {x})[0];
  Tensor p = softmax(logits, 1);
  Tensor target = one_hot(labels, 3, DType::Float64) * (1 - s) + s / 3;
  EXPECT_TRUE(all_close(g, (p - target) / 2.0, 1e-12, 1e-14));
  // And cross_entropy == nll_loss(log_softmax).
  EXPECT_NEAR(nll_loss(log_softmax(logits, 1), labels).item(), (loss0 + loss1) / 2, 1e-12);
}

TEST(LossOps, CrossEntropyFusedBackwardMatchesComposite) {
  Tensor labels = ints({0, 2, 1, 2}, {4});
  for (auto r : {Reduction::Mean, Reduction::Sum, Reduction::None}) {
    Tensor x = leaf({4, 3}, 30);
    Tensor w = r == Reduction::None ? random_tensor({4}, 31) : scalar_tensor(1.7, {.dtype = DType::Float64});
    auto loss = [&] { return sum(mul(cross_entropy(x, labels, r, 0.3), w)); };
    Tensor fused = autograd::grad({loss()}, {x})[0];
    Tensor composite = autograd::grad({loss()}, {x}, {}, {.create_graph = true})[0];
    EXPECT_TRUE(all_close(fused, composite.detach(), 1e-12, 1e-14));
  }
}

TEST(LossOps, KlDivAndMseHandComputed) {
  Tensor input = doubles({std::log(0.25), std::log(0.75)}, {1, 2});
  Tensor target = doubles({0.5, 0.5}, {1, 2});
  const double kl = 0.5 * std::log(0.5 / 0.25) + 0.5 * std::log(0.5 / 0.75);
  EXPECT_NEAR(kl_div(input, target).item(), kl, 1e-12);  // batchmean, N = 1
  EXPECT_NEAR(kl_div(input, target, KlReduction::Mean).item(), kl / 2, 1e-12);
  EXPECT_NEAR(kl_div(input, target.log(), KlReduction::Sum, true).item(), kl, 1e-12);
  // A zero target contributes 0 and no NaN reaches either gradient.
  Tensor in2 = doubles({-1.0, -0.5, -2.0, -0.1}, {2, 2}).requires_grad_(true);
  Tensor t2 = doubles({0.0, 1.0, 0.3, 0.7}, {2, 2}).requires_grad_(true);
  Tensor k = kl_div(in2, t2, KlReduction::BatchMean);
  EXPECT_NEAR(k.item(), (1.0 * (0 + 0.5) + 0.3 * (std::log(0.3) + 2.0) + 0.7 * (std::log(0.7) + 0.1)) / 2, 1e-12);
  auto g = autograd::grad({k}, {in2, t2});
  for (const auto& t : g)
    for (double e : t.to_double_vector()) EXPECT_TRUE(std::isfinite(e));
  EXPECT_EQ(g[0].to_double_vector(), (std::vector<double>{-0.0, -0.5, -0.15, -0.35}));
  // mse
  Tensor a = doubles({1, 2, 3}, {3}), b = doubles({1, 0, 6}, {3});
  EXPECT_NEAR(mse_loss(a, b).item(), (0 + 4 + 9) / 3.0, 1e-12);
  EXPECT_NEAR(mse_loss(a, b, Reduction::Sum).item(), 13, 1e-12);
}

TEST(LossOps, BadLabelsNameTheOpLabelAndClasses) {
  Tensor logits = random_tensor({2, 3}, 40);
  expect_error([&] { cross_entropy(logits, ints({0, 3}, {2})); }, {"cross_entropy: label 3 is out of range for 3 classes"});
  expect_error([&] { cross_entropy(logits, ints({-1, 0}, {2})); }, {"cross_entropy: label -1 is out of range for 3 classes"});
  expect_error([&] { nll_loss(logits, ints({0, 7}, {2})); }, {"nll_loss: label 7 is out of range for 3 classes"});
  expect_error([&] { cross_entropy(logits, random_tensor({2}, 41)); }, {"cross_entropy: labels must be int64, got float64"});
  expect_error([&] { cross_entropy(logits, ints({0, 1, 2}, {3})); },
               {"cross_entropy: expected labels of shape [2] for input of shape [2, 3], got [3]"});
  expect_error([&] { nll_loss(logits, ints({0}, {1})); }, {"nll_loss: expected labels of shape [2]"});
  expect_error([&] { cross_entropy(random_tensor({3}, 42), ints({0}, {1})); }, {"cross_entropy: expected input of shape [N, C]"});
  expect_error([&] { cross_entropy(logits, ints({0, 1}, {2}), Reduction::Mean, 1.5); },
               {"cross_entropy: label_smoothing must be in [0, 1], got 1.5"});
  expect_error([&] { mse_loss(logits, random_tensor({3, 2}, 43)); },
               {"mse_loss: input of shape [2, 3] and target of shape [3, 2] must have the same shape"});
  expect_error([&] { kl_div(logits, random_tensor({2}, 44)); }, {"kl_div: input of shape [2, 3]"});
  expect_error([&] { softmax(logits, 2); }, {"softmax: dim 2 is out of range"});
  expect_error([&] { log_softmax(ints({1, 2}, {2}), 0); }, {"log_softmax: expected a floating-point tensor"});
}

}  // namespace
}  // namespace advgrad
