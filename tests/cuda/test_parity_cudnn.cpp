// cuDNN as the conv backend of CUDA tensors (cuda::ConvAlgorithm::Cudnn).
//
// On a real GPU with cuDNN (a build with ADVGRAD_CUDNN, cuda::cudnn_available()):
//   - cuDNN's conv forward and both gradients against the CPU reference
//     kernels: the "_cudnn" variants of the op registry's conv cases
//     (tests/ops/cases_conv.cpp, run by tests/cuda/test_ops_cuda.cpp);
//   - here, our implicit-GEMM conv against cuDNN directly, on the same device
//     inputs, including shapes large enough to span many tiles.
// Anywhere else these are counted, printed skips ("no GPU with cuDNN").
// Everywhere: ADVGRAD_CUDA_CONV's names include "cudnn", and choosing cuDNN
// where it cannot run is a clear advgrad::Error when a conv runs.
#include <string>

#include "advgrad/core/backend/cuda.h"
#include "cuda_testing.h"
#include "expect_error.h"

namespace advgrad::testing {
namespace {

using V = std::vector<Tensor>;

bool cudnn_under_test() { return !cuda_test_device_is_emulated() && cuda::cudnn_available(); }

// A visible skip: counted in the summary at exit, and reported by GoogleTest.
#define SKIP_WITHOUT_CUDNN(what)                     \
  do {                                               \
    if (!cudnn_under_test()) {                       \
      record_skip(what, "no GPU with cuDNN");        \
      GTEST_SKIP() << what << ": no GPU with cuDNN"; \
    }                                                \
  } while (0)

Conv2dOptions conv_opts(std::int64_t stride, std::int64_t pad, std::int64_t dilation = 1, std::int64_t groups = 1) {
  return {stride, stride, pad, pad, dilation, dilation, groups};
}

struct ConvCase {
  std::string name;
  Shape x, w;
  Conv2dOptions options;
  bool bias = true;
};

// The output, dx and dw of sum(conv2d(x, w, b) * r) with one conv algorithm,
// on device copies of the same inputs.
V conv_and_grads(cuda::ConvAlgorithm algorithm, const Tensor& x, const Tensor& w, const Tensor& b, const Tensor& r,
                 const Conv2dOptions& o) {
  ConvAlgorithmScope scope(algorithm);
  Tensor xd = to_cuda(x), wd = to_cuda(w), bd = b.defined() ? to_cuda(b) : Tensor();
  Tensor y = conv2d(xd, wd, bd, o);
  V grads = autograd::grad({sum(mul(y, to_cuda(r)))}, {xd, wd});
  return {y.detach().to(Device::cpu()), grads[0].to(Device::cpu()), grads[1].to(Device::cpu())};
}

// Our implicit GEMM against cuDNN, both on the device: the comparison the
// yardstick exists for, at sizes where the GEMM tiles and split reductions matter.
void expect_implicit_gemm_matches_cudnn(const ConvCase& c, std::uint64_t salt) {
  SCOPED_TRACE(c.name);
  for (DType dtype : {DType::Float32, DType::Float64}) {
    SCOPED_TRACE(dtype_name(dtype));
    const bool f32 = dtype == DType::Float32;
    const double rtol = f32 ? 1e-4 : 1e-10, atol = f32 ? 1e-4 : 1e-12;
    const Tensor x = random_tensor(c.x, salt, dtype).requires_grad_(true);
    const Tensor w = random_tensor(c.w, salt + 1, dtype).requires_grad_(true);
    const Tensor b = c.bias ? random_tensor({c.w[0]}, salt + 2, dtype) : Tensor();
    const Tensor probe = conv2d(x.detach(), w.detach(), b, c.options);  // the output shape, on the CPU
    const Tensor r = random_tensor(probe.shape(), salt + 3, dtype, 0.5, 1.5);
    const V ours = conv_and_grads(cuda::ConvAlgorithm::ImplicitGemm, x, w, b, r, c.options);
    const V theirs = conv_and_grads(cuda::ConvAlgorithm::Cudnn, x, w, b, r, c.options);
    const char* what[] = {"output", "gradient of x", "gradient of w"};
    for (int k = 0; k < 3; ++k) EXPECT_TRUE(all_close(ours[k], theirs[k], rtol, atol)) << what[k];
  }
}

TEST(CudaCudnnConv, ImplicitGemmMatchesCudnn) {
  SKIP_WITHOUT_CUDNN("implicit GEMM vs cuDNN");
  expect_implicit_gemm_matches_cudnn(
      {"conv2 of BENCHMARKS.md, batch 8", {8, 32, 14, 14}, {64, 32, 3, 3}, conv_opts(1, 1)}, 120);
  expect_implicit_gemm_matches_cudnn({"tiles 70x66x3x3", {2, 66, 9, 7}, {70, 66, 3, 3}, conv_opts(1, 1)}, 124);
  expect_implicit_gemm_matches_cudnn(
      {"groups 2 stride 2 dilation 2", {3, 12, 15, 13}, {140, 6, 3, 3}, conv_opts(2, 2, 2, 2), false}, 128);
  expect_implicit_gemm_matches_cudnn({"depthwise x2 stride 2", {2, 3, 7, 7}, {6, 1, 3, 3}, conv_opts(2, 1, 1, 3)}, 132);
}

// An empty batch goes around cuDNN (its descriptors reject zero sizes): an
// empty output and a weight gradient of zeros, as with our kernels.
TEST(CudaCudnnConv, EmptyBatch) {
  SKIP_WITHOUT_CUDNN("cuDNN conv, empty batch");
  ConvAlgorithmScope scope(cuda::ConvAlgorithm::Cudnn);
  Tensor x = to_cuda(zeros({0, 3, 5, 5}).requires_grad_(true));
  Tensor w = to_cuda(random_tensor({4, 3, 3, 3}, 136, DType::Float32).requires_grad_(true));
  Tensor y = conv2d(x, w, {}, conv_opts(1, 1));
  EXPECT_EQ(y.shape(), (Shape{0, 4, 5, 5}));
  Tensor gw = autograd::grad({sum(y)}, {w})[0];
  EXPECT_EQ(gw.to(Device::cpu()).to_double_vector(), std::vector<double>(108, 0.0));
}

// ---------------------------------------------------------------- everywhere

TEST(CudaCudnnSelection, ConvAlgorithmNames) {
  EXPECT_EQ(cuda::parse_conv_algorithm("cudnn"), cuda::ConvAlgorithm::Cudnn);
  EXPECT_EQ(cuda::parse_conv_algorithm("direct"), cuda::ConvAlgorithm::Direct);
  EXPECT_EQ(cuda::parse_conv_algorithm("implicit-gemm"), cuda::ConvAlgorithm::ImplicitGemm);
  for (auto a : {cuda::ConvAlgorithm::Direct, cuda::ConvAlgorithm::ImplicitGemm, cuda::ConvAlgorithm::Cudnn})
    EXPECT_EQ(cuda::parse_conv_algorithm(cuda::conv_algorithm_name(a)), a);
  expect_error([] { cuda::parse_conv_algorithm("cuDNN"); }, {"cuDNN", "expected one of", "implicit-gemm", "cudnn"});
}

// Where cuDNN cannot run, choosing it fails at the first conv, naming the
// reason, in the forward and in both backward passes.
TEST(CudaCudnnSelection, UnreachableCudnnIsAClearError) {
  if (cudnn_under_test()) {
    record_skip("cuDNN refused where unavailable", "this device has cuDNN");
    GTEST_SKIP() << "this device has cuDNN";
  }
  // A real GPU reaches here without cuDNN in the build ("not in this build"),
  // or with a libcudnn that cannot start (the failing call's own message).
  const char* why =
      cuda_test_device_is_emulated() ? "the cuDNN backend is not available on the emulated device" : " on cuda: ";
  if (cuda_test_device_is_emulated()) {
    EXPECT_FALSE(cuda::cudnn_available());
  }
  const Tensor x = to_cuda(random_tensor({1, 2, 5, 5}, 140, DType::Float32).requires_grad_(true));
  const Tensor w = to_cuda(random_tensor({3, 2, 3, 3}, 141, DType::Float32).requires_grad_(true));
  {
    ConvAlgorithmScope scope(cuda::ConvAlgorithm::Cudnn);
    expect_error([&] { conv2d(x, w, {}, conv_opts(1, 1)); }, {"conv2d on cuda: ", why});
  }
  const Tensor y = conv2d(x, w, {}, conv_opts(1, 1));  // recorded with our kernels
  ConvAlgorithmScope scope(cuda::ConvAlgorithm::Cudnn);
  expect_error([&] { autograd::grad({sum(y)}, {x}, {}, {.retain_graph = true}); }, {"conv2d_backward_input", why});
  expect_error([&] { autograd::grad({sum(y)}, {w}, {}, {.retain_graph = true}); }, {"conv2d_backward_weight", why});
}

}  // namespace
}  // namespace advgrad::testing
