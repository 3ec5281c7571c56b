#pragma once
// Test helpers: random tensors (ops/tensor_inputs.h), closeness checks,
// finite-difference gradient checks, and the checks the op registry's modes
// run (ops/op_registry.h; the CPU modes' tests are tests/core/test_ops.cpp).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "advgrad/advgrad.h"
#include "ops/op_registry.h"
#include "ops/tensor_inputs.h"

namespace advgrad::testing {

// A fresh, empty directory under the system temp dir, unique to this process
// and `name` (removed and recreated if it exists).
std::filesystem::path temp_dir(const std::string& name);

// Sets (or unsets, for nullptr) an environment variable for one scope.
class EnvScope {
 public:
  EnvScope(const char* name, const char* value);
  ~EnvScope();
  EnvScope(const EnvScope&) = delete;
  EnvScope& operator=(const EnvScope&) = delete;

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

// max |a - b| <= atol + rtol * |b| elementwise; reports the worst element.
::testing::AssertionResult all_close(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-6);

// Central finite differences in float64 against autograd::grad of
// sum(f(inputs) * w) for a random weight w (so every output element matters).
::testing::AssertionResult gradcheck(const TensorFn& f, const std::vector<Tensor>& inputs, double eps = 1e-6,
                                     double rtol = 1e-4, double atol = 1e-6);
// Second order: gradcheck of (inputs, v) -> <grad(f)(inputs), v> built with create_graph.
::testing::AssertionResult gradgradcheck(const TensorFn& f, const std::vector<Tensor>& inputs, double eps = 1e-6,
                                         double rtol = 1e-3, double atol = 1e-5);

// Two runs of a case agree: outputs_and_gradients() of each, result by result
// (defined on both or neither, same dtype and shape, within `tol`).
::testing::AssertionResult results_match(const std::vector<Tensor>& actual, const std::vector<Tensor>& expected,
                                         Tolerance tol);

// The registry's FastVsReference mode for one case: the fast CPU kernels
// against the reference kernels on float32 inputs, contiguous and (unless the
// case opts out) non-contiguous; the output and the first-order gradients.
::testing::AssertionResult fast_matches_reference(const OpSpec& spec);

}  // namespace advgrad::testing
