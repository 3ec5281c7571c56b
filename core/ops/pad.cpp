// pad2d: constant padding of the last two dimensions, possibly asymmetric.
//
//   out[..., i, j] = x[..., i - top, j - left]   inside the copied window,
//                    value                        elsewhere,
//
// with out of size (H + top + bottom) x (W + left + right). The forward is a
// fill and a strided copy into the interior window, both of which every
// backend already has as kernels (reference, fast CPU, CUDA), so no new kernel
// is needed. Backward: the adjoint of "embed into a window" is "read the
// window", dL/dx = g[..., top : top + H, left : left + W]; the constant gets
// no gradient. The backward is a view (narrow), itself differentiable, whose
// adjoint is pad2d with 0 — so gradients of gradients come for free.
#include "advgrad/core/autograd/node.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/op_utils.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad {

using autograd::FunctionNode;
using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

Tensor pad2d(const Tensor& x, const Pad2d& pad, double value) {
  detail::check_defined(x, "pad2d", "the input");
  ADVGRAD_CHECK(x.dim() >= 2, "pad2d: expected at least 2 dims ([..., H, W]), got ", shape_str(x.shape()));
  ADVGRAD_CHECK(pad.left >= 0 && pad.right >= 0 && pad.top >= 0 && pad.bottom >= 0,
                "pad2d: padding must be non-negative, got (left ", pad.left, ", right ", pad.right, ", top ", pad.top,
                ", bottom ", pad.bottom, ")");
  const int h_dim = x.dim() - 2, w_dim = x.dim() - 1;
  const std::int64_t h = x.shape()[h_dim], w = x.shape()[w_dim];
  Shape shape = x.shape();
  shape[h_dim] = h + pad.top + pad.bottom;
  shape[w_dim] = w + pad.left + pad.right;
  Tensor out = full(shape, value, x.options());
  {
    NoGradGuard no_grad;
    out.narrow(h_dim, pad.top, h).narrow(w_dim, pad.left, w).copy_(x);
  }
  if (autograd::any_requires_grad({&x})) {
    autograd::record("Pad2dBackward", {x}, {&out}, [=](FunctionNode&, Grads& g, const Needs&) {
      return Grads{g[0].narrow(h_dim, pad.top, h).narrow(w_dim, pad.left, w)};
    });
  }
  return out;
}

}  // namespace advgrad
