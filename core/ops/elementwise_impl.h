#pragma once
// Kernel-only entry points for elementwise ops (no autograd recording); the
// differentiable ops in core/ops/*.cpp are built on these.
#include "advgrad/core/tensor.h"
#include "advgrad/kernels/elementwise_ops.h"
#include "advgrad/kernels/reduce_ops.h"

namespace advgrad::detail {

Tensor unary_kernel(kernels::UnaryOp op, const Tensor& x, const kernels::OpParams& params, const char* name);
// Broadcasts a and b; dtypes unified as in unify_dtypes.
Tensor binary_kernel(kernels::BinaryOp op, const Tensor& a, const Tensor& b, const kernels::OpParams& params,
                     const char* name);
// Reductions without autograd: mask marks the dims to reduce.
Tensor reduce_kernel(kernels::ReduceOp op, const Tensor& x, const std::vector<bool>& mask, bool keepdim,
                     const char* name);

// Backward of an elementwise op whose derivative has a fused kernel
// (grad, x) -> grad * f'(x). When a graph of the backward is being built
// (create_graph) the differentiable `composite` is used instead.
template <typename Composite>
Tensor fused_or_composite(kernels::BinaryOp fused, const Tensor& grad, const Tensor& x,
                          const kernels::OpParams& params, Composite&& composite);

}  // namespace advgrad::detail

#include "advgrad/core/autograd/node.h"

template <typename Composite>
advgrad::Tensor advgrad::detail::fused_or_composite(kernels::BinaryOp fused, const Tensor& grad, const Tensor& x,
                                                    const kernels::OpParams& params, Composite&& composite) {
  if (autograd::any_requires_grad({&grad, &x})) return composite();
  return binary_kernel(fused, grad, x, params, kernels::binary_op_name(fused));
}
