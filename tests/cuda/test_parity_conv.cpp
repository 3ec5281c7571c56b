// CUDA parity of conv2d (both algorithms: the direct kernels and the implicit
// GEMM) and of the pooling ops, against the CPU reference kernels: forward
// values and gradients in float32 and float64, contiguous and not, plus a
// float64 gradcheck of the op on the device (tests/cuda/cuda_testing.h). The
// "tiles" cases are big enough that every implicit-GEMM dimension spans
// several 64 x 64 x 16 tiles with a ragged last one, and that the
// backward-weight pass splits its reduction over several blocks; they skip the
// finite differences (the gradients are still checked against the CPU).
// The pooling backward passes promise the reference's bits (the same
// additions in the same order); those cases compare with zero tolerance.
#include <cmath>
#include <limits>
#include <string>

#include "advgrad/core/backend/cuda.h"
#include "cuda_testing.h"

namespace advgrad::testing {
namespace {

using V = std::vector<Tensor>;

Tensor leaf(const Shape& s, std::uint64_t salt) { return random_tensor(s, salt).requires_grad_(true); }

Conv2dOptions conv_opts(std::int64_t stride, std::int64_t pad, std::int64_t dilation = 1, std::int64_t groups = 1) {
  return {stride, stride, pad, pad, dilation, dilation, groups};
}

struct ConvCase {
  std::string name;
  Shape x, w;
  Conv2dOptions options;
  bool bias = true;
  bool gradcheck = true;
  double atol = 1e-5;
};

// conv2d(x, w, b) with both algorithms; every input is differentiable.
void check_conv(const ConvCase& c, std::uint64_t salt) {
  for (cuda::ConvAlgorithm algorithm : {cuda::ConvAlgorithm::Direct, cuda::ConvAlgorithm::ImplicitGemm}) {
    ConvAlgorithmScope scope(algorithm);
    SCOPED_TRACE(algorithm == cuda::ConvAlgorithm::Direct ? "direct" : "implicit GEMM");
    const V inputs = c.bias ? V{leaf(c.x, salt), leaf(c.w, salt + 1), leaf({c.w[0]}, salt + 2)}
                            : V{leaf(c.x, salt), leaf(c.w, salt + 1)};
    const Conv2dOptions o = c.options;
    const bool bias = c.bias;
    check_parity({c.name, [o, bias](const V& v) { return conv2d(v[0], v[1], bias ? v[2] : Tensor(), o); }, inputs, 1e-4,
                  c.atol, true, c.gradcheck});
  }
}

TEST(CudaConv, Conv3x3PadBias) { check_conv({"conv2d 3x3 pad 1", {2, 3, 7, 6}, {4, 3, 3, 3}, conv_opts(1, 1)}, 1); }

TEST(CudaConv, StrideNonSquareKernel) {
  const Conv2dOptions o{.stride_h = 2, .stride_w = 1, .pad_h = 2, .pad_w = 1};
  check_conv({"conv2d 5x3 stride (2,1) pad (2,1)", {2, 3, 9, 7}, {5, 3, 5, 3}, o}, 4);
}

TEST(CudaConv, Stride2OddSizesNoBias) {
  check_conv({"conv2d 3x3 stride 2 pad 1, no bias", {1, 2, 9, 8}, {3, 2, 3, 3}, conv_opts(2, 1), false}, 7);
}

TEST(CudaConv, Dilation2) {
  check_conv({"conv2d dilation 2", {2, 2, 8, 7}, {3, 2, 3, 3}, conv_opts(1, 2, 2), false}, 10);
  const Conv2dOptions o{.stride_h = 1, .stride_w = 2, .pad_h = 1, .pad_w = 0, .dilation_h = 2};
  check_conv({"conv2d dilation (2,1) stride (1,2)", {2, 2, 6, 7}, {3, 2, 2, 3}, o}, 13);
}

TEST(CudaConv, GroupsAndDepthwise) {
  check_conv({"conv2d groups 2 stride 2", {2, 4, 7, 8}, {6, 2, 3, 3}, conv_opts(2, 1, 1, 2)}, 16);
  check_conv({"conv2d depthwise", {2, 3, 6, 7}, {3, 1, 3, 3}, conv_opts(1, 1, 1, 3)}, 19);
  check_conv({"conv2d depthwise x2 stride 2", {2, 3, 7, 7}, {6, 1, 3, 3}, conv_opts(2, 1, 1, 3), false}, 22);
}

TEST(CudaConv, Pointwise) { check_conv({"conv2d 1x1", {2, 5, 4, 3}, {3, 5, 1, 1}, conv_opts(1, 0)}, 25); }

// Implicit GEMM, per pass and group (M x K x N of the GEMM):
//   forward 70 x 594 x 126, backward-input 66 x 630 x 126, backward-weight
//   70 x 126 x 594 with its K split in two: several tiles in every dimension,
//   each with a ragged last tile.
TEST(CudaConv, TilesWithRaggedEdges) {
  check_conv({"conv2d tiles 70x66x3x3", {2, 66, 9, 7}, {70, 66, 3, 3}, conv_opts(1, 1), true, false, 1e-4}, 28);
}

// Per group: forward 70 x 54 x 168, backward-input 6 x 630 x 585, backward-weight
// 70 x 168 x 54 split in three ranges of 4, 4 and 3 K steps.
TEST(CudaConv, TilesGroupedStridedDilated) {
  check_conv({"conv2d tiles groups 2 stride 2 dilation 2",
              {3, 12, 15, 13},
              {140, 6, 3, 3},
              conv_opts(2, 2, 2, 2),
              false,
              false,
              1e-4},
             31);
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

TEST(CudaPool, MaxPool) {
  check_parity({"max_pool2d 2x2", [](const V& x) { return max_pool2d(x[0], window(2)); }, {leaf({2, 3, 7, 6}, 1)}});
  check_parity(
      {"max_pool2d 3x3 s2 p1", [](const V& x) { return max_pool2d(x[0], window(3, 2, 1)); }, {leaf({2, 3, 7, 8}, 2)}});
  const Pool2dOptions o{
      .kernel_h = 3, .kernel_w = 2, .stride_h = 2, .stride_w = 1, .pad_h = 1, .pad_w = 1, .ceil_mode = true};
  check_parity(
      {"max_pool2d 3x2 s(2,1) p1 ceil", [o](const V& x) { return max_pool2d(x[0], o); }, {leaf({1, 2, 8, 5}, 3)}});
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
  // Ties through the op harness too (float64 as well; no finite differences at ties).
  Tensor t = tied_values({2, 2, 7, 8}).to(DType::Float64).requires_grad_(true);
  check_parity({"max_pool2d ties 3x3 s2 p1",
                [](const V& x) { return max_pool2d(x[0], window(3, 2, 1)); },
                {t},
                1e-4,
                1e-5,
                true,
                false});
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

// The backward of max pooling is differentiable in gy: its derivative gathers
// by the indices (max_pool2d_gather). x enters as a constant and the inner
// grad takes a fresh leaf of it: the outer gradient cannot reach x (only its
// indices matter), and check_parity asks autograd::grad for every
// differentiable input without allow_unused.
TEST(CudaPool, MaxPoolBackwardIsDifferentiable) {
  check_parity({"max_pool2d backward",
                [](const V& x) {
                  const Tensor x0 = x[0].detach().requires_grad_(true);
                  Tensor y = max_pool2d(x0, window(3, 2, 1));
                  return autograd::grad({sum(mul(y, x[1]))}, {x0}, {}, {.create_graph = true})[0];
                },
                {random_tensor({2, 2, 7, 6}, 5), leaf({2, 2, 4, 3}, 6)}});
}

TEST(CudaPool, AvgPool) {
  check_parity({"avg_pool2d 2x2", [](const V& x) { return avg_pool2d(x[0], window(2)); }, {leaf({2, 3, 7, 6}, 7)}});
  check_parity(
      {"avg_pool2d 3x3 s2 p1", [](const V& x) { return avg_pool2d(x[0], window(3, 2, 1)); }, {leaf({2, 3, 7, 8}, 8)}});
  check_parity({"avg_pool2d 3x3 s2 p1 ceil, exclude pad",
                [](const V& x) { return avg_pool2d(x[0], window(3, 2, 1, true, false)); },
                {leaf({2, 2, 8, 7}, 9)}});
  const Pool2dOptions o{.kernel_h = 2, .kernel_w = 3, .stride_h = 1, .stride_w = 2, .pad_h = 1, .pad_w = 1};
  check_parity({"avg_pool2d 2x3 s(1,2) p1", [o](const V& x) { return avg_pool2d(x[0], o); }, {leaf({1, 3, 5, 8}, 10)}});
  // The backward as an op of gy (x is a constant: the gradient does not depend on it).
  check_parity({"avg_pool2d backward",
                [](const V& x) {
                  const Tensor x0 = x[0].detach().requires_grad_(true);
                  Tensor y = avg_pool2d(x0, window(3, 2, 1, true, true));
                  return autograd::grad({sum(mul(y, x[1]))}, {x0}, {}, {.create_graph = true})[0];
                },
                {random_tensor({1, 2, 8, 7}, 11), leaf({1, 2, 5, 4}, 12)}});
}

TEST(CudaPool, AdaptiveAndGlobalAvgPool) {
  check_parity({"adaptive_avg_pool2d 7x5 -> 3x2",
                [](const V& x) { return adaptive_avg_pool2d(x[0], 3, 2); },
                {leaf({2, 3, 7, 5}, 13)}});
  check_parity({"adaptive_avg_pool2d 3x3 -> 5x4",
                [](const V& x) { return adaptive_avg_pool2d(x[0], 5, 4); },
                {leaf({1, 2, 3, 3}, 14)}});
  check_parity({"global_avg_pool2d", [](const V& x) { return global_avg_pool2d(x[0]); }, {leaf({2, 3, 5, 4}, 15)}});
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
