// Stochastic depth (Huang et al. 2016, "Deep Networks with Stochastic Depth"),
// as EfficientNet's "drop connect" and timm's DropPath apply it to a residual
// branch: in training, each example's whole branch is dropped with probability
// p and kept examples are scaled by 1/(1-p):
//   y[n, ...] = x[n, ...] * m[n] / (1 - p),   m[n] ~ Bernoulli(1 - p)
// so the residual sum x + drop_path(f(x)) has the same expectation as in eval,
// where it is the identity. One draw per example from the caller's Generator.
// Backward: dL/dx = g * m / (1 - p), broadcast over the example's elements
// (the product with a constant mask; mul's backward does it).
#include "advgrad/core/generator.h"
#include "advgrad/core/ops/op_utils.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad {

Tensor drop_path(const Tensor& x, double p, bool training, Generator& gen) {
  detail::check_defined(x, "drop_path", "input");
  detail::check_floating(x, "drop_path");
  ADVGRAD_CHECK(p >= 0.0 && p < 1.0, "drop_path: p must be in [0, 1), got ", p);
  ADVGRAD_CHECK(x.dim() >= 1, "drop_path: expected a batch [N, ...], got a scalar");
  if (!training || p == 0.0) return x;
  Shape mask_shape(static_cast<std::size_t>(x.dim()), 1);
  mask_shape[0] = x.size(0);
  Tensor mask = bernoulli(mask_shape, 1.0 - p, gen, x.options());  // 1 with probability 1 - p
  mask.mul_(1.0 / (1.0 - p));
  return mul(x, mask);
}

}  // namespace advgrad
