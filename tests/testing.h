#pragma once
// Test helpers: random tensors, closeness checks, and the op harness that
// checks an op three ways (fast vs reference kernels, float64 gradcheck,
// float64 gradgradcheck).
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "advgrad/advgrad.h"

namespace advgrad::testing {

// Uniform in [lo, hi) drawn from a fixed seed mixed with `salt`.
Tensor random_tensor(const Shape& shape, std::uint64_t salt, DType dtype = DType::Float64, double lo = -1.0,
                     double hi = 1.0);
// A fresh, empty directory under the system temp dir, unique to this process
// and `name` (removed and recreated if it exists).
std::filesystem::path temp_dir(const std::string& name);
// A non-contiguous tensor with the same values: a transposed copy viewed back.
Tensor non_contiguous(const Tensor& t);

// max |a - b| <= atol + rtol * |b| elementwise; reports the worst element.
::testing::AssertionResult all_close(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-6);

using TensorFn = std::function<Tensor(const std::vector<Tensor>&)>;

// Central finite differences in float64 against autograd::grad of
// sum(f(inputs) * w) for a random weight w (so every output element matters).
::testing::AssertionResult gradcheck(const TensorFn& f, const std::vector<Tensor>& inputs, double eps = 1e-6,
                                     double rtol = 1e-4, double atol = 1e-6);
// Second order: gradcheck of (inputs, v) -> <grad(f)(inputs), v> built with create_graph.
::testing::AssertionResult gradgradcheck(const TensorFn& f, const std::vector<Tensor>& inputs, double eps = 1e-6,
                                         double rtol = 1e-3, double atol = 1e-5);

// The op harness. An op is declared once with a function and its float64
// inputs (leaves that require grad or constants); check_op runs:
//   1. the fast CPU kernels vs the reference kernels on float32 copies of the
//      inputs (contiguous and non-contiguous), forward and first-order gradients;
//   2. gradcheck in float64;
//   3. gradgradcheck in float64 (unless second_order is false).
struct OpCase {
  std::string name;
  TensorFn fn;
  std::vector<Tensor> inputs;      // float64; requires_grad marks differentiable ones
  bool second_order = true;
  double fast_rtol = 1e-4, fast_atol = 1e-5;  // float32 fast-vs-reference tolerance
  double grad_rtol = 1e-4, grad_atol = 1e-6;
};
void check_op(const OpCase& c);

}  // namespace advgrad::testing
