// CUDA parity of conv2d and pooling beyond the op registry (whose CUDA mode
// checks every conv and pooling case with each conv algorithm:
// tests/cuda/test_ops_cuda.cpp, tests/ops/cases_conv.cpp): an empty batch
// with both algorithms, and the bitwise promises of pooling. The pooling
// backward passes promise the reference's bits (the same additions in the
// same order), and max pooling the reference's indices at ties and NaN; those
// checks compare with zero tolerance.
#include <cmath>
#include <limits>
#include <string>

#include "advgrad/core/backend/cuda.h"
#include "cuda_testing.h"

namespace advgrad::testing {
namespace {

Conv2dOptions conv_opts(std::int64_t stride, std::int64_t pad, std::int64_t dilation = 1, std::int64_t groups = 1) {
  return {stride, stride, pad, pad, dilation, dilation, groups};
}

// An empty batch: empty output, and a weight gradient of zeros (a sum over nothing).
TEST(CudaConv, EmptyBatch) {
  for (cuda::ConvAlgorithm algorithm : {cuda::ConvAlgorithm::Direct, cuda::ConvAlgorithm::ImplicitGemm}) {
    ConvAlgorithmScope scope(algorithm);
    Tensor x = to_cuda(zeros({0, 3, 5, 5}).requires_grad_(true));
    Tensor w = to_cuda(random_tensor({4, 3, 3, 3}, 34, DType::Float32).requires_grad_(true));
    Tensor y = conv2d(x, w, {}, conv_opts(1, 1));
    EXPECT_EQ(y.shape(), (Shape{0, 4, 5, 5}));
    Tensor gw = autograd::grad({sum(y)}, {w})[0];
    EXPECT_EQ(gw.to(Device::cpu()).to_double_vector(), std::vector<double>(108, 0.0));
  }
}

// ---------------------------------------------------------------- pooling

Pool2dOptions window(std::int64_t k, std::int64_t stride = 0, std::int64_t pad = 0, bool ceil_mode = false,
                     bool include_pad = true) {
  return {k, k, stride, stride, pad, pad, ceil_mode, include_pad};
}

// Values 0, 0.5, 1 only, so most windows hold tied maxima; overlapping windows
// (k3 s2, k3 s1) share them. The indices, values and gradients must be the CPU's
// exactly (first maximum in row-major window order; the gradient sums in order).
Tensor tied_values(const Shape& shape) {
  std::vector<double> v(static_cast<std::size_t>(shape[0] * shape[1] * shape[2] * shape[3]));
  for (std::size_t k = 0; k < v.size(); ++k) v[k] = static_cast<double>((k * 7 + k / 5) % 3) * 0.5;
  return from_vector(v, shape, {.dtype = DType::Float32});
}

void expect_same_max_pool(const Tensor& x_cpu, const Pool2dOptions& o) {
  Tensor y_ref, i_ref, gx_ref, gy;
  {
    ReferenceKernelsGuard reference;
    Tensor x = x_cpu.detach().requires_grad_(true);
    auto [values, indices] = max_pool2d_with_indices(x, o);
    gy = random_tensor(values.shape(), 41, DType::Float32, 0.5, 1.5);
    gx_ref = autograd::grad({values}, {x}, {gy})[0];
    y_ref = values.detach();
    i_ref = indices;
  }
  Tensor x = to_cuda(x_cpu.detach().requires_grad_(true));
  auto [values, indices] = max_pool2d_with_indices(x, o);
  const Tensor gx = autograd::grad({values}, {x}, {gy.to(cuda_test_device())})[0];
  EXPECT_EQ(indices.to(Device::cpu()).to_int_vector(), i_ref.to_int_vector());
  EXPECT_TRUE(all_close(values.to(Device::cpu()), y_ref, 0, 0));
  EXPECT_TRUE(all_close(gx.to(Device::cpu()), gx_ref, 0, 0)) << "max-pool backward is not the reference's bits";
}

TEST(CudaPool, MaxPoolTiesMatchTheCpu) {
  expect_same_max_pool(tied_values({2, 3, 9, 8}), window(3, 2));
  expect_same_max_pool(tied_values({2, 3, 9, 8}), window(3, 1, 1));
  expect_same_max_pool(tied_values({1, 2, 8, 7}), window(3, 2, 1, true));
  expect_same_max_pool(full({1, 2, 5, 6}, 0.25, {.dtype = DType::Float32}), window(2, 1));  // all tied
}

// A NaN wins its windows (the first NaN when there are several).
TEST(CudaPool, MaxPoolNaNWins) {
  Tensor x = random_tensor({1, 2, 6, 7}, 42, DType::Float32);
  std::vector<double> v = x.to_double_vector();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  v[3] = v[9] = v[10] = v[50] = nan;
  Tensor xn = from_vector(v, x.shape(), {.dtype = DType::Float32});
  Tensor y_ref, i_ref;
  {
    ReferenceKernelsGuard reference;
    const ValuesIndices r = max_pool2d_with_indices(xn, window(3, 2, 1));
    y_ref = r.values;
    i_ref = r.indices;
  }
  auto [y, i] = max_pool2d_with_indices(to_cuda(xn), window(3, 2, 1));
  EXPECT_EQ(i.to(Device::cpu()).to_int_vector(), i_ref.to_int_vector());
  const auto yv = y.to(Device::cpu()).to_double_vector(), yr = y_ref.to_double_vector();
  ASSERT_EQ(yv.size(), yr.size());
  for (std::size_t k = 0; k < yv.size(); ++k) {
    EXPECT_EQ(std::isnan(yv[k]), std::isnan(yr[k])) << "output " << k;
    if (!std::isnan(yr[k])) {
      EXPECT_EQ(yv[k], yr[k]) << "output " << k;
    }
  }
}

// The average-pooling gathers add the same Acc terms in the reference's order:
// the same bits as the CPU reference, in float32 too.
TEST(CudaPool, AvgPoolBackwardIsTheReferenceBits) {
  auto expect_same = [](const std::string& name, const std::function<Tensor(const Tensor&)>& pool) {
    SCOPED_TRACE(name);
    const Tensor x_cpu = random_tensor({2, 3, 9, 7}, 43, DType::Float32).requires_grad_(true);
    Tensor y_ref, gx_ref, gy;
    {
      ReferenceKernelsGuard reference;
      y_ref = pool(x_cpu);
      gy = random_tensor(y_ref.shape(), 44, DType::Float32);
      gx_ref = autograd::grad({y_ref}, {x_cpu}, {gy})[0];
    }
    const Tensor x = to_cuda(x_cpu);
    const Tensor y = pool(x);
    const Tensor gx = autograd::grad({y}, {x}, {gy.to(cuda_test_device())})[0];
    EXPECT_TRUE(all_close(y.to(Device::cpu()), y_ref.detach(), 0, 0));
    EXPECT_TRUE(all_close(gx.to(Device::cpu()), gx_ref, 0, 0));
  };
  expect_same("avg 3x3 s2 p1", [](const Tensor& x) { return avg_pool2d(x, window(3, 2, 1)); });
  expect_same("avg 3x3 s1 p1 ceil exclude pad",
              [](const Tensor& x) { return avg_pool2d(x, window(3, 1, 1, true, false)); });
  expect_same("adaptive 4x3", [](const Tensor& x) { return adaptive_avg_pool2d(x, 4, 3); });
}

}  // namespace
}  // namespace advgrad::testing
