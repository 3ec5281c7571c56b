// Inverted dropout: y = x * mask / (1 - p), mask_i ~ Bernoulli(1 - p) drawn from
// the caller's Generator (so a seed fixes the mask on every thread count).
// Kept values are scaled up in training so that eval (identity) needs no
// rescaling. Backward: dL/dx = g * mask / (1 - p), the same scaled mask.
#include "advgrad/core/autograd/node.h"
#include "advgrad/core/generator.h"
#include "advgrad/core/ops/elementwise_impl.h"
#include "advgrad/core/ops/op_utils.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad {

Tensor dropout(const Tensor& x, double p, bool training, Generator& gen) {
  detail::check_defined(x, "dropout", "input");
  detail::check_floating(x, "dropout");
  ADVGRAD_CHECK(p >= 0.0 && p < 1.0, "dropout: p must be in [0, 1), got ", p);
  if (!training || p == 0.0) return x;
  Tensor mask = bernoulli(x.shape(), 1.0 - p, gen, x.options());  // 1 with probability 1 - p
  mask.mul_(1.0 / (1.0 - p));
  Tensor out = detail::binary_kernel(kernels::BinaryOp::Mul, x, mask, {}, "dropout");
  if (autograd::any_requires_grad({&x})) {
    auto node = autograd::record("DropoutBackward", {x}, {&out},
                                 [](autograd::FunctionNode& self, std::vector<Tensor>& g, const std::vector<bool>&) {
                                   return std::vector<Tensor>{mul(g[0], self.saved(0))};
                                 });
    node->save(mask, false);
  }
  return out;
}

}  // namespace advgrad
