#pragma once
// Internal to core/ (and tests): the two backward ops of conv2d as
// differentiable ops of their own, so that {conv2d, input_grad, weight_grad}
// is closed under differentiation and create_graph gives exact higher-order
// gradients of any order.
//
// With y = conv2d(x, w) bilinear, write IG(gy, w) = dL/dx = J_x(w)^T gy and
// WG(x, gy) = dL/dw = J_w(x)^T gy. Pairing each with an upstream gradient:
//   <ggx, IG(gy, w)>  = <conv2d(ggx, w), gy>
//       => d/dgy = conv2d(ggx, w),          d/dw = WG(ggx, gy)
//   <ggw, WG(x, gy)>  = <conv2d(x, ggw), gy>
//       => d/dgy = conv2d(x, ggw),          d/dx = IG(gy, ggw)
#include <atomic>
#include <cstdint>

#include "advgrad/core/ops/ops.h"

namespace advgrad::detail {

// dL/dx of conv2d for an input of shape x_shape, given gy = dL/dy and the weight.
Tensor conv2d_input_grad(const Tensor& grad_output, const Tensor& weight, const Shape& input_shape,
                         const Conv2dOptions& options);
// dL/dw of conv2d for a weight of shape weight_shape, given the input and gy.
Tensor conv2d_weight_grad(const Tensor& input, const Tensor& grad_output, const Shape& weight_shape,
                          const Conv2dOptions& options);

// How many times each conv kernel was launched (any backend). A test hook: it
// is how the tests observe that an input-only backward skips the
// weight-gradient kernel (and vice versa).
struct ConvKernelCalls {
  std::atomic<std::int64_t> forward{0}, input_grad{0}, weight_grad{0};
  void reset() {
    forward = 0;
    input_grad = 0;
    weight_grad = 0;
  }
};
ConvKernelCalls& conv_kernel_calls();

}  // namespace advgrad::detail
