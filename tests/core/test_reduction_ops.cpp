// Reductions beyond the op registry (tests/ops/cases_reductions.cpp checks
// their values and derivatives against the reference kernels and finite
// differences): values on hand-made inputs, the sub-gradient conventions at
// ties, large and infinite logits, and the errors for bad arguments.
#include <cmath>
#include <limits>

#include "expect_error.h"
#include "testing.h"

namespace advgrad {
namespace {

using testing::all_close;
using testing::expect_error;
using testing::random_tensor;

const TensorOptions kF64{.dtype = DType::Float64};
constexpr double kInf = std::numeric_limits<double>::infinity();

Tensor mat(std::vector<double> v, const Shape& s) { return from_vector(v, s, kF64); }

TEST(ReductionOps, Sum) {
  Tensor m = mat({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(sum(m).item(), 21.0);
  EXPECT_EQ(sum(m, {0}).to_double_vector(), (std::vector<double>{5, 7, 9}));
  EXPECT_EQ(sum(m, {-1}, true).shape(), (Shape{2, 1}));
  EXPECT_EQ(sum(m, {-1}, true).to_double_vector(), (std::vector<double>{6, 15}));
  EXPECT_EQ(sum(m, {0, 1}, true).shape(), (Shape{1, 1}));
  EXPECT_EQ(m.sum({1}).to_double_vector(), (std::vector<double>{6, 15}));
  EXPECT_EQ(sum(zeros({3, 0}), {1}).to_double_vector(), (std::vector<double>{0, 0, 0}));  // empty sum = 0
  EXPECT_EQ(sum(zeros({0})).item(), 0.0);
}

TEST(ReductionOps, Mean) {
  EXPECT_EQ(mean(mat({1, 2, 3, 6}, {2, 2}), {1}).to_double_vector(), (std::vector<double>{1.5, 4.5}));
  EXPECT_EQ(mat({1, 2, 3, 6}, {2, 2}).mean().item(), 3.0);
  EXPECT_EQ(mean(scalar_tensor(4.0)).item(), 4.0);
}

TEST(ReductionOps, AmaxAmin) {
  Tensor m = mat({1, -5, 3, 4, 2, -6}, {2, 3});
  EXPECT_EQ(amax(m, {1}).to_double_vector(), (std::vector<double>{3, 4}));
  EXPECT_EQ(amin(m, {0}).to_double_vector(), (std::vector<double>{1, -5, -6}));
  EXPECT_EQ(amax(m).item(), 4.0);
  // Ties share the gradient equally.
  Tensor t = mat({1, 3, 3, 0}, {4}).requires_grad_(true);
  EXPECT_EQ(autograd::grad({amax(t)}, {t})[0].to_double_vector(), (std::vector<double>{0, 0.5, 0.5, 0}));
}

TEST(ReductionOps, MaxMinAlongADim) {
  Tensor x = mat({0.5, 2.0, -1.0, 7.0, -3.0, 4.0}, {2, 3});
  auto mx = max(x, 1);
  EXPECT_EQ(mx.values.to_double_vector(), (std::vector<double>{2.0, 7.0}));
  EXPECT_EQ(mx.indices.dtype(), DType::Int64);
  EXPECT_EQ(mx.indices.to_int_vector(), (std::vector<std::int64_t>{1, 0}));
  auto mn = min(x, 0, true);
  EXPECT_EQ(mn.values.shape(), (Shape{1, 3}));
  EXPECT_EQ(mn.values.to_double_vector(), (std::vector<double>{0.5, -3.0, -1.0}));
  EXPECT_EQ(mn.indices.to_int_vector(), (std::vector<std::int64_t>{0, 1, 0}));
  // Non-contiguous input: indices count along the logical dim.
  auto mt = max(x.t(), 1);
  EXPECT_EQ(mt.indices.to_int_vector(), (std::vector<std::int64_t>{1, 0, 1}));
  // 0-dim input: its own max at index 0.
  auto ms = max(scalar_tensor(2.5, kF64), 0);
  EXPECT_EQ(ms.values.item(), 2.5);
  EXPECT_EQ(ms.indices.item(), 0.0);
}

TEST(ReductionOps, TiesPickTheFirstIndexAndItGetsTheGradient) {
  Tensor x = mat({1, 3, 3, 2, 2, 0, 5, 5, 5}, {3, 3}).requires_grad_(true);
  auto mx = max(x, 1);
  EXPECT_EQ(mx.indices.to_int_vector(), (std::vector<std::int64_t>{1, 0, 0}));
  auto g = autograd::grad({sum(mx.values)}, {x})[0];
  EXPECT_EQ(g.to_double_vector(), (std::vector<double>{0, 1, 0, 1, 0, 0, 1, 0, 0}));
  Tensor y = mat({4, 1, 1, 1}, {4}).requires_grad_(true);
  auto mn = min(y, 0);
  EXPECT_EQ(mn.indices.item(), 1.0);
  EXPECT_EQ(autograd::grad({mn.values}, {y})[0].to_double_vector(), (std::vector<double>{0, 1, 0, 0}));
  EXPECT_EQ(argmax(mat({2, 9, 9}, {3}), 0).item(), 1.0);
  EXPECT_EQ(argmin(mat({2, 1, 1}, {3}), 0).item(), 1.0);
  // The fast and reference kernels agree on ties.
  ReferenceKernelsGuard reference;
  EXPECT_EQ(max(x.detach(), 1).indices.to_int_vector(), (std::vector<std::int64_t>{1, 0, 0}));
}

TEST(ReductionOps, ArgmaxArgmin) {
  Tensor x = random_tensor({5, 7}, 40);
  const auto v = x.to_double_vector();
  Tensor am = argmax(x, 1), an = argmin(x, 0, true);
  EXPECT_EQ(am.shape(), (Shape{5}));
  EXPECT_EQ(an.shape(), (Shape{1, 7}));
  EXPECT_EQ(am.dtype(), DType::Int64);
  for (int i = 0; i < 5; ++i) {
    int best = 0;
    for (int j = 1; j < 7; ++j)
      if (v[i * 7 + j] > v[i * 7 + best]) best = j;
    EXPECT_EQ(am.to_int_vector()[i], best);
  }
  for (int j = 0; j < 7; ++j) {
    int best = 0;
    for (int i = 1; i < 5; ++i)
      if (v[i * 7 + j] < v[best * 7 + j]) best = i;
    EXPECT_EQ(an.to_int_vector()[j], best);
  }
  // Never part of the graph.
  Tensor r = x.clone().requires_grad_(true);
  EXPECT_FALSE(argmax(r, 0).requires_grad());
}

TEST(ReductionOps, Logsumexp) {
  Tensor m = mat({0.1, 0.2, -0.3, 1.0, 2.0, 3.0}, {2, 3});
  EXPECT_NEAR(logsumexp(m, {1}).at({0}), std::log(std::exp(0.1) + std::exp(0.2) + std::exp(-0.3)), 1e-12);
  // Large values do not overflow; the gradient is the softmax.
  Tensor big = mat({1000, 1000, 999}, {3}).requires_grad_(true);
  Tensor l = logsumexp(big, {0});
  EXPECT_NEAR(l.item(), 1000 + std::log(2 + std::exp(-1.0)), 1e-9);
  const double z = 2 + std::exp(-1.0);
  EXPECT_TRUE(all_close(autograd::grad({l}, {big})[0], mat({1 / z, 1 / z, std::exp(-1.0) / z}, {3}), 1e-12, 1e-12));
  EXPECT_NEAR(logsumexp(mat({-1000, -1000}, {2}), {0}).item(), -1000 + std::log(2.0), 1e-9);
  EXPECT_NEAR(logsumexp(from_vector(std::vector<double>{1000, 1000}, {2}), {0}).item(), 1000.6931, 1e-3);  // float32
  // A row of -inf gives -inf, not NaN.
  EXPECT_EQ(logsumexp(mat({-kInf, -kInf}, {2}), {0}).item(), -kInf);
}

TEST(ReductionOps, Var) {
  Tensor v = mat({1, 2, 3, 4}, {4});
  EXPECT_NEAR(var(v).item(), 5.0 / 3.0, 1e-12);
  EXPECT_NEAR(var(v, {}, false, 0).item(), 1.25, 1e-12);
  EXPECT_NEAR(var(mat({1, 2, 3, 4}, {2, 2}), {0}, false, 0).at({1}), 1.0, 1e-12);
}

TEST(ReductionOps, Norms) {
  Tensor v = mat({3, -4, 0, 1, -1, 2}, {2, 3});
  EXPECT_NEAR(norm(v, 2).item(), std::sqrt(31.0), 1e-12);
  EXPECT_EQ(norm(v, 1, {1}).to_double_vector(), (std::vector<double>{7, 4}));
  EXPECT_EQ(norm(v, kInf, {1}).to_double_vector(), (std::vector<double>{4, 2}));
  EXPECT_EQ(norm_per_sample(v, kInf).to_double_vector(), (std::vector<double>{4, 2}));
  EXPECT_NEAR(norm_per_sample(v, 2).at({0}), 5.0, 1e-12);
  EXPECT_NEAR(norm(v, 3).item(), std::cbrt(27 + 64 + 1 + 1 + 8), 1e-12);
  EXPECT_EQ(norm_per_sample(mat({-2, 3}, {2}), 2).to_double_vector(), (std::vector<double>{2, 3}));
}

TEST(ReductionOps, SumTo) {
  Tensor m = mat({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(sum_to(m, {3}).to_double_vector(), (std::vector<double>{5, 7, 9}));
  EXPECT_EQ(sum_to(m, {2, 1}).to_double_vector(), (std::vector<double>{6, 15}));
  EXPECT_EQ(sum_to(m, {1, 3}).shape(), (Shape{1, 3}));
  EXPECT_EQ(sum_to(m, {}).item(), 21.0);
  EXPECT_EQ(sum_to(m, {2, 3}).impl(), m.impl());  // nothing to do
  expect_error([&] { sum_to(m, {4}); }, {"sum_to: cannot sum shape [2, 3] to [4]"});
  expect_error([&] { sum_to(m, {1, 2, 3}); }, {"sum_to: cannot sum shape [2, 3] to [1, 2, 3]"});
}

TEST(ReductionOps, BadArguments) {
  Tensor x = random_tensor({2, 3}, 90);
  expect_error([&] { sum(x, {2}); }, {"sum: dim 2 is out of range for a tensor of 2 dims"});
  expect_error([&] { mean(x, {-3}); }, {"mean: dim -3 is out of range"});
  expect_error([&] { amax(x, {5}); }, {"amax: dim 5"});
  expect_error([&] { max(x, 2); }, {"max: dim 2"});
  expect_error([&] { argmin(x, -3); }, {"argmin: dim -3"});
  expect_error([&] { logsumexp(x, {3}); }, {"logsumexp: dim 3"});
  expect_error([&] { sum(x, {0, 0}); }, {"sum: dim 0 appears more than once"});
  expect_error([&] { var(x, {1, -1}); }, {"var: dim -1 appears more than once"});
  expect_error([&] { amin(x, {-2, 0}); }, {"amin: dim 0 appears more than once"});
  Tensor empty = zeros({3, 0}, kF64);
  expect_error([&] { max(empty, 1); }, {"max: cannot reduce over the empty dim 1 of shape [3, 0]"});
  expect_error([&] { argmax(empty, 1); }, {"argmax: cannot reduce over the empty dim"});
  expect_error([&] { amax(empty, {1}); }, {"amax: cannot reduce over the empty dim 1"});
  expect_error([&] { amin(empty); }, {"amin: cannot reduce over the empty dim"});
  expect_error([&] { mean(empty, {1}); }, {"mean: cannot average over zero elements"});
  // Reducing a non-empty dim of a tensor with an empty kept dim is fine: an empty result.
  Tensor rows0 = zeros({0, 3}, kF64);
  EXPECT_EQ(amax(rows0, {1}).shape(), (Shape{0}));
  EXPECT_EQ(amin(rows0, {1}, true).shape(), (Shape{0, 1}));
  EXPECT_EQ(max(rows0, 1).values.shape(), (Shape{0}));
  EXPECT_EQ(logsumexp(rows0, {1}).shape(), (Shape{0}));
  expect_error([&] { amax(rows0); }, {"amax: cannot reduce over the empty dim 0"});
  expect_error([&] { var(mat({1}, {1})); }, {"var: 1 elements with correction 1 leave no degrees of freedom"});
  Tensor ints = arange(4);
  expect_error([&] { sum(ints); }, {"sum: expected a floating-point tensor", "int64"});
  expect_error([&] { max(ints, 0); }, {"max: expected a floating-point tensor"});
  expect_error([&] { mean(ints); }, {"mean: expected a floating-point tensor"});
  expect_error([&] { var(ints); }, {"var: expected a floating-point tensor"});
  expect_error([&] { norm(ints, 2); }, {"norm: expected a floating-point tensor"});
  expect_error([&] { norm_per_sample(ints, 1); }, {"norm_per_sample: expected a floating-point tensor"});
  expect_error([&] { mean(Tensor()); }, {"mean: input is an undefined tensor"});
  expect_error([&] { norm(x, 0.5); }, {"norm: p must be >= 1 or infinity, got 0.5"});
  expect_error([&] { norm(x, -kInf); }, {"norm: p must be >= 1 or infinity, got -inf"});
  expect_error([&] { norm_per_sample(scalar_tensor(1.0), 2); }, {"norm_per_sample: expected a batch"});
}

}  // namespace
}  // namespace advgrad
