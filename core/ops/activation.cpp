// Activation functions. Forward and first-order backward use fused kernels
// (kernels/elementwise_ops.h has the formulas); with create_graph the backward
// is the differentiable composite written next to each op.
#include <cmath>

#include "advgrad/core/autograd/node.h"
#include "advgrad/core/ops/elementwise_impl.h"
#include "advgrad/core/ops/op_utils.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad {

using autograd::FunctionNode;
using kernels::BinaryOp;
using kernels::OpParams;
using kernels::UnaryOp;
using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

namespace {

Tensor scalar_like(double v, const Tensor& t) { return scalar_tensor(v, t.options()); }

// An activation y = f(x) whose backward is fused(g, x or y) or composite(g, x, y).
template <typename Composite>
Tensor activation(UnaryOp op, BinaryOp backward, bool backward_uses_output, const Tensor& x, const char* name,
                  const char* node_name, OpParams params, Composite composite) {
  Tensor out = detail::unary_kernel(op, x, params, name);
  if (autograd::any_requires_grad({&x})) {
    auto node = autograd::record(node_name, {x}, {&out},
                                 [=](FunctionNode& self, Grads& g, const Needs&) {
                                   Tensor xs = self.saved(0), ys = self.saved(1);
                                   return Grads{detail::fused_or_composite(backward, g[0], backward_uses_output ? ys : xs,
                                                                           params, [&] { return composite(g[0], xs, ys); })};
                                 });
    node->save(x, false);
    node->save(out, true);
  }
  return out;
}

}  // namespace

Tensor relu(const Tensor& x) {
  return activation(UnaryOp::Relu, BinaryOp::ReluBackward, false, x, "relu", "ReluBackward", {},
                    [](const Tensor& g, const Tensor& x, const Tensor&) { return mul(g, gt(x, scalar_like(0, x))); });
}

Tensor leaky_relu(const Tensor& x, double slope) {
  return activation(UnaryOp::LeakyRelu, BinaryOp::LeakyReluBackward, false, x, "leaky_relu", "LeakyReluBackward",
                    {slope, 0}, [slope](const Tensor& g, const Tensor& x, const Tensor&) {
                      return mul(g, where(gt(x, scalar_like(0, x)), scalar_like(1, x), scalar_like(slope, x)));
                    });
}

// relu6'(x) = 1 for 0 < x < 6, else 0 (strict at both kinks, as PyTorch)
Tensor relu6(const Tensor& x) {
  return activation(UnaryOp::Relu6, BinaryOp::Relu6Backward, false, x, "relu6", "Relu6Backward", {},
                    [](const Tensor& g, const Tensor& x, const Tensor&) {
                      return mul(g, mul(gt(x, scalar_like(0, x)), lt(x, scalar_like(6, x))));
                    });
}

// elu'(x) = 1 (x > 0), alpha e^x otherwise
Tensor elu(const Tensor& x, double alpha) {
  return activation(UnaryOp::Elu, BinaryOp::EluBackward, false, x, "elu", "EluBackward", {alpha, 0},
                    [alpha](const Tensor& g, const Tensor& x, const Tensor&) {
                      return mul(g, where(gt(x, scalar_like(0, x)), scalar_like(1, x), mul(exp(x), scalar_like(alpha, x))));
                    });
}

Tensor gelu(const Tensor& x, bool tanh_approximation) {
  if (tanh_approximation) {
    // d/dx 0.5 x (1 + tanh u) = 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) u'
    return activation(UnaryOp::GeluTanh, BinaryOp::GeluTanhBackward, false, x, "gelu", "GeluTanhBackward", {},
                      [](const Tensor& g, const Tensor& x, const Tensor&) {
                        const double c = kernels::math::kSqrt2OverPi, k = kernels::math::kGeluCubic;
                        Tensor x2 = mul(x, x);
                        Tensor th = tanh(mul(add(x, mul(mul(x2, x), scalar_like(k, x))), scalar_like(c, x)));
                        Tensor du = mul(add(scalar_like(1, x), mul(x2, scalar_like(3 * k, x))), scalar_like(c, x));
                        Tensor d = add(mul(add(scalar_like(1, x), th), scalar_like(0.5, x)),
                                       mul(mul(mul(x, sub(scalar_like(1, x), mul(th, th))), du), scalar_like(0.5, x)));
                        return mul(g, d);
                      });
  }
  // gelu'(x) = Phi(x) + x phi(x)
  return activation(UnaryOp::Gelu, BinaryOp::GeluBackward, false, x, "gelu", "GeluBackward", {},
                    [](const Tensor& g, const Tensor& x, const Tensor&) {
                      Tensor cdf = mul(add(erf(mul(x, scalar_like(kernels::math::kInvSqrt2, x))), scalar_like(1, x)),
                                       scalar_like(0.5, x));
                      Tensor pdf = mul(exp(mul(mul(x, x), scalar_like(-0.5, x))), scalar_like(kernels::math::kInvSqrt2Pi, x));
                      return mul(g, add(cdf, mul(x, pdf)));
                    });
}

// silu'(x) = s (1 + x (1 - s)), s = sigmoid(x)
Tensor silu(const Tensor& x) {
  return activation(UnaryOp::Silu, BinaryOp::SiluBackward, false, x, "silu", "SiluBackward", {},
                    [](const Tensor& g, const Tensor& x, const Tensor&) {
                      Tensor s = sigmoid(x);
                      return mul(g, mul(s, add(scalar_like(1, x), mul(x, sub(scalar_like(1, x), s)))));
                    });
}

// softplus'(x) = sigmoid(beta x), 1 above the threshold
Tensor softplus(const Tensor& x, double beta, double threshold) {
  ADVGRAD_CHECK(beta > 0, "softplus: beta must be > 0, got ", beta);
  return activation(UnaryOp::Softplus, BinaryOp::SoftplusBackward, false, x, "softplus", "SoftplusBackward",
                    {beta, threshold}, [beta, threshold](const Tensor& g, const Tensor& x, const Tensor&) {
                      Tensor bx = mul(x, scalar_like(beta, x));
                      return mul(g, where(gt(bx, scalar_like(threshold, x)), scalar_like(1, x), sigmoid(bx)));
                    });
}

// sigmoid' = y (1 - y)
Tensor sigmoid(const Tensor& x) {
  return activation(UnaryOp::Sigmoid, BinaryOp::SigmoidBackward, true, x, "sigmoid", "SigmoidBackward", {},
                    [](const Tensor& g, const Tensor&, const Tensor& y) {
                      return mul(g, mul(y, sub(scalar_like(1, y), y)));
                    });
}

// tanh' = 1 - y^2
Tensor tanh(const Tensor& x) {
  return activation(UnaryOp::Tanh, BinaryOp::TanhBackward, true, x, "tanh", "TanhBackward", {},
                    [](const Tensor& g, const Tensor&, const Tensor& y) {
                      return mul(g, sub(scalar_like(1, y), mul(y, y)));
                    });
}

}  // namespace advgrad
