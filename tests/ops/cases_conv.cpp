// conv2d: padding, strides and kernels that differ in height and width,
// dilation, groups, depthwise (with a channel multiplier), 1x1, a constant
// weight (only the input is differentiable, as in an attack), the backward
// ops as differentiable ops of their own (checking them checks conv2d's
// second and third derivatives), and two CUDA "tiles" cases big enough that
// every implicit-GEMM dimension spans several 64 x 64 x 16 tiles with a ragged
// last one and the backward-weight pass splits its reduction over several
// blocks.
//
// CUDA runs every case with each conv algorithm (direct loops and implicit
// GEMM), and the cases that cuDNN supports with cuDNN too, which is skipped,
// visibly, where there is no GPU with cuDNN.
#include "advgrad/core/backend/cuda.h"
#include "advgrad/core/ops/conv_internal.h"
#include "ops/op_registry.h"

namespace advgrad::testing {
namespace {

using V = std::vector<Tensor>;

Conv2dOptions opts(std::int64_t stride, std::int64_t pad, std::int64_t dilation = 1, std::int64_t groups = 1) {
  return {stride, stride, pad, pad, dilation, dilation, groups};
}

// conv2d(x, w, b) with every input differentiable; b absent when the case has two inputs.
TensorFn conv(Conv2dOptions o) {
  return [o](const V& x) { return conv2d(x[0], x[1], x.size() > 2 ? x[2] : Tensor(), o); };
}

// The conv algorithm of CUDA tensors, restored when the guard goes.
class ConvAlgorithmGuard {
 public:
  explicit ConvAlgorithmGuard(cuda::ConvAlgorithm a) : saved_(cuda::conv_algorithm()) { cuda::set_conv_algorithm(a); }
  ~ConvAlgorithmGuard() { cuda::set_conv_algorithm(saved_); }
  ConvAlgorithmGuard(const ConvAlgorithmGuard&) = delete;
  ConvAlgorithmGuard& operator=(const ConvAlgorithmGuard&) = delete;

 private:
  cuda::ConvAlgorithm saved_;
};

Variant algorithm(const char* name, cuda::ConvAlgorithm a) {
  return {name, [a] { return std::make_shared<ConvAlgorithmGuard>(a); }};
}

// Our two algorithms; with cuDNN, the yardstick as well (a real GPU and a build with cuDNN only).
std::vector<Variant> algorithms(bool with_cudnn = false) {
  std::vector<Variant> v{algorithm("direct", cuda::ConvAlgorithm::Direct),
                         algorithm("implicit_gemm", cuda::ConvAlgorithm::ImplicitGemm)};
  if (with_cudnn) {
    Variant cudnn = algorithm("cudnn", cuda::ConvAlgorithm::Cudnn);
    cudnn.unavailable = [] {
      const bool emulated = cuda::describe().rfind("emulated", 0) == 0;
      return !emulated && cuda::cudnn_available() ? std::string() : std::string("no GPU with cuDNN");
    };
    v.push_back(cudnn);
  }
  return v;
}

}  // namespace

std::vector<OpSpec> conv_cases() {
  OpCaseList c("conv");
  c.add("conv2d_3x3_pad_1", conv(opts(1, 1)), {input({2, 3, 7, 6}), input({4, 3, 3, 3}), input({4})})
      .variants(algorithms(true));
  c.add("conv2d_5x3_stride_2_1_pad_2_1", conv({.stride_h = 2, .stride_w = 1, .pad_h = 2, .pad_w = 1}),
        {input({2, 3, 9, 7}), input({5, 3, 5, 3}), input({5})})
      .variants(algorithms(true));
  c.add("conv2d_3x3_stride_2_pad_1_no_bias", conv(opts(2, 1)), {input({1, 2, 9, 8}), input({3, 2, 3, 3})})
      .variants(algorithms());
  c.add("conv2d_dilation_2_no_bias", conv(opts(1, 2, 2)), {input({2, 2, 8, 7}), input({3, 2, 3, 3})})
      .variants(algorithms(true));
  c.add("conv2d_dilation_2_1_stride_1_2", conv({.stride_h = 1, .stride_w = 2, .pad_h = 1, .pad_w = 0, .dilation_h = 2}),
        {input({2, 2, 6, 7}), input({3, 2, 2, 3}), input({3})})
      .variants(algorithms());
  c.add("conv2d_groups_2_stride_2", conv(opts(2, 1, 1, 2)), {input({2, 4, 7, 8}), input({6, 2, 3, 3}), input({6})})
      .variants(algorithms(true));
  c.add("conv2d_depthwise", conv(opts(1, 1, 1, 3)), {input({2, 3, 6, 7}), input({3, 1, 3, 3}), input({3})})
      .variants(algorithms(true));
  c.add("conv2d_depthwise_x2_stride_2_no_bias", conv(opts(2, 1, 1, 3)), {input({2, 3, 7, 7}), input({6, 1, 3, 3})})
      .variants(algorithms());
  // groups == C == O: the depthwise kernels (AVX2 plane convolutions on the
  // CPU, kernels/cuda/conv_depthwise.cu on the device) on EfficientNet's
  // kernels and strides, odd planes, pads 0 to 2; the backward ops as
  // differentiable ops check conv2d's higher derivatives through them.
  c.add("conv2d_depthwise_5x5_stride_2_pad_2", conv(opts(2, 2, 1, 5)),
        {input({2, 5, 13, 7}), input({5, 1, 5, 5}), input({5})})
      .variants(algorithms());
  c.add("conv2d_depthwise_3x3_stride_2_pad_0_no_bias", conv(opts(2, 0, 1, 3)),
        {input({2, 3, 7, 9}), input({3, 1, 3, 3})})
      .variants(algorithms());
  c.add("conv2d_depthwise_5x5_pad_1", conv(opts(1, 1, 1, 3)), {input({1, 3, 7, 13}), input({3, 1, 5, 5}), input({3})})
      .variants(algorithms());
  c.add("conv2d_depthwise_3x3_dilation_2", conv(opts(1, 2, 2, 4)), {input({2, 4, 9, 7}), input({4, 1, 3, 3})})
      .variants(algorithms());
  const Conv2dOptions depthwise_s2 = opts(2, 1, 1, 3);
  c.add("conv2d_depthwise_input_grad",
        [depthwise_s2](const V& x) {
          return detail::conv2d_input_grad(x[0], x[1], {2, 3, 7, 9}, depthwise_s2);
        },
        {input({2, 3, 4, 5}), input({3, 1, 3, 3})})
      .variants(algorithms());
  c.add("conv2d_depthwise_weight_grad",
        [depthwise_s2](const V& x) {
          return detail::conv2d_weight_grad(x[0], x[1], {3, 1, 3, 3}, depthwise_s2);
        },
        {input({2, 3, 7, 9}), input({2, 3, 4, 5})})
      .variants(algorithms());
  c.add("conv2d_1x1", conv(opts(1, 0)), {input({2, 5, 4, 3}), input({3, 5, 1, 1}), input({3})})
      .variants(algorithms(true));
  // Only the input is differentiable: the weight is a constant, as in an attack.
  c.add("conv2d_constant_weight", conv(opts(1, 1)), {input({2, 2, 5, 6}), constant({4, 2, 3, 3})})
      .variants(algorithms());

  // The backward ops as differentiable ops: grad_output and weight -> grad_input, input and grad_output -> grad_weight.
  const Conv2dOptions grouped = opts(2, 1, 1, 2);
  c.add("conv2d_input_grad",
        [grouped](const V& x) {
          return detail::conv2d_input_grad(x[0], x[1], {2, 4, 7, 6}, grouped);
        },
        {input({2, 6, 4, 3}), input({6, 2, 3, 3})})
      .variants(algorithms());
  const Conv2dOptions dilated{.stride_h = 1, .stride_w = 2, .pad_h = 1, .pad_w = 0, .dilation_h = 2};
  c.add("conv2d_weight_grad",
        [dilated](const V& x) {
          return detail::conv2d_weight_grad(x[0], x[1], {3, 2, 2, 3}, dilated);
        },
        {input({2, 2, 6, 7}), input({2, 3, 6, 3})})
      .variants(algorithms());

  // Implicit GEMM, per pass and group (M x K x N of the GEMM): forward
  // 70 x 594 x 126, backward-input 66 x 630 x 126, backward-weight 70 x 126 x
  // 594 with its K split in two. Tens of thousands of elements: no finite
  // differences.
  c.add("conv2d_tiles_70x66_3x3", conv(opts(1, 1)), {input({2, 66, 9, 7}), input({70, 66, 3, 3}), input({70})})
      .without_finite_differences()
      .fast_tolerance(1e-4, 1e-4)
      .cuda_tolerance(1e-4, 1e-4)
      .variants(algorithms());
  // Per group: forward 70 x 54 x 168, backward-input 6 x 630 x 585,
  // backward-weight 70 x 168 x 54 split in three ranges of 4, 4 and 3 K steps.
  c.add("conv2d_tiles_groups_2_stride_2_dilation_2", conv(opts(2, 2, 2, 2)),
        {input({3, 12, 15, 13}), input({140, 6, 3, 3})})
      .without_finite_differences()
      .fast_tolerance(1e-4, 1e-4)
      .cuda_tolerance(1e-4, 1e-4)
      .variants(algorithms());
  return c.take();
}

}  // namespace advgrad::testing
