// Elementwise arithmetic, math functions, comparisons, clamp and where, with
// their backward formulas. Broadcasting: the gradient of a broadcast operand
// is summed back to its shape (sum_to).
#include <cmath>
#include <numbers>

#include "advgrad/core/autograd/node.h"
#include "advgrad/core/grad_mode.h"
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

namespace detail {

namespace {
bool int_ok(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: case BinaryOp::Sub: case BinaryOp::Mul: case BinaryOp::Minimum: case BinaryOp::Maximum:
    case BinaryOp::Eq: case BinaryOp::Ne: case BinaryOp::Lt: case BinaryOp::Le: case BinaryOp::Gt: case BinaryOp::Ge:
      return true;
    default: return false;
  }
}
}  // namespace

Tensor unary_kernel(UnaryOp op, const Tensor& x, const OpParams& params, const char* name) {
  check_defined(x, name, "input");
  check_floating(x, name);
  Tensor out = Tensor::empty(x.shape(), x.options());
  backend_of(x).unary(op, x.dtype(), make_loop(x.shape(), {&out, &x}, name), out.raw_data(), x.raw_data(), params);
  return out;
}

Tensor binary_kernel(BinaryOp op, const Tensor& a_in, const Tensor& b_in, const OpParams& params, const char* name) {
  auto [a, b] = unify_dtypes(a_in, b_in, name);
  ADVGRAD_CHECK(is_floating(a.dtype()) || int_ok(op), name, ": not defined for ", dtype_name(a.dtype()),
                " tensors (convert with .to(DType::Float32))");
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), name);
  Tensor out = Tensor::empty(shape, a.options());
  backend_of(a).binary(op, a.dtype(), make_loop(shape, {&out, &a, &b}, name), out.raw_data(), a.raw_data(),
                       b.raw_data(), params);
  return out;
}

}  // namespace detail

namespace {

using detail::binary_kernel;
using detail::unary_kernel;

Tensor scalar_like(double v, const Tensor& t) { return scalar_tensor(v, t.options()); }

// Records a one-input op whose backward is `formula(g, saved x, saved out)`.
template <typename Formula>
Tensor unary_op(UnaryOp op, const Tensor& x, const char* name, const char* node_name, Formula formula,
                OpParams params = {}) {
  Tensor out = unary_kernel(op, x, params, name);
  if (autograd::any_requires_grad({&x})) {
    auto node = autograd::record(node_name, {x}, {&out}, [formula](FunctionNode& self, Grads& g, const Needs&) {
      return Grads{formula(g[0], self.saved(0), self.saved(1))};
    });
    node->save(x, false);
    node->save(out, true);
  }
  return out;
}

// Records a two-input broadcasting op; formula returns the gradients for a and
// b at the broadcast shape, this helper sums them back to the input shapes.
template <typename Formula>
Tensor binary_op(BinaryOp op, const Tensor& a, const Tensor& b, const char* name, const char* node_name,
                 Formula formula) {
  Tensor out = binary_kernel(op, a, b, {}, name);
  if (autograd::any_requires_grad({&a, &b})) {
    const Shape sa = a.shape(), sb = b.shape();
    auto node = autograd::record(node_name, {a, b}, {&out}, [formula, sa, sb](FunctionNode& self, Grads& g, const Needs& needs) {
      auto [ga, gb] = formula(g[0], self.saved(0), self.saved(1), self.saved(2), needs);
      return Grads{needs[0] && ga.defined() ? sum_to(ga, sa) : Tensor(), needs[1] && gb.defined() ? sum_to(gb, sb) : Tensor()};
    });
    node->save(a.dtype() == out.dtype() ? a : a.to(out.dtype()), false);
    node->save(b.dtype() == out.dtype() ? b : b.to(out.dtype()), false);
    node->save(out, true);
  }
  return out;
}

using Pair = std::pair<Tensor, Tensor>;

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) {
  return binary_op(BinaryOp::Add, a, b, "add", "AddBackward",
                   [](const Tensor& g, const Tensor&, const Tensor&, const Tensor&, const Needs&) { return Pair{g, g}; });
}

Tensor sub(const Tensor& a, const Tensor& b) {
  return binary_op(BinaryOp::Sub, a, b, "sub", "SubBackward",
                   [](const Tensor& g, const Tensor&, const Tensor&, const Tensor&, const Needs& n) {
                     return Pair{g, n[1] ? neg(g) : Tensor()};
                   });
}

// d(ab)/da = b, d(ab)/db = a
Tensor mul(const Tensor& a, const Tensor& b) {
  return binary_op(BinaryOp::Mul, a, b, "mul", "MulBackward",
                   [](const Tensor& g, const Tensor& a, const Tensor& b, const Tensor&, const Needs& n) {
                     return Pair{n[0] ? mul(g, b) : Tensor(), n[1] ? mul(g, a) : Tensor()};
                   });
}

// d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
Tensor div(const Tensor& a, const Tensor& b) {
  return binary_op(BinaryOp::Div, a, b, "div", "DivBackward",
                   [](const Tensor& g, const Tensor& a, const Tensor& b, const Tensor&, const Needs& n) {
                     return Pair{n[0] ? div(g, b) : Tensor(), n[1] ? neg(div(mul(g, a), mul(b, b))) : Tensor()};
                   });
}

// d(a^b)/da = b a^(b-1); d(a^b)/db = a^b log a (taken as 0 where a = 0 and b >= 0)
Tensor pow(const Tensor& a, const Tensor& b) {
  return binary_op(BinaryOp::Pow, a, b, "pow", "PowBackward",
                   [](const Tensor& g, const Tensor& a, const Tensor& b, const Tensor& out, const Needs& n) {
                     Tensor ga, gb;
                     if (n[0]) ga = mul(g, mul(b, pow(a, sub(b, scalar_like(1.0, b)))));
                     if (n[1]) {
                       Tensor zero_base = mul(eq(a, scalar_like(0.0, a)), ge(b, scalar_like(0.0, b)));
                       Tensor safe_a = where(zero_base, ones_like(a), a);
                       gb = where(zero_base, zeros_like(g), mul(g, mul(out, log(safe_a))));
                     }
                     return Pair{ga, gb};
                   });
}

// d(x^p)/dx = p x^(p-1)
Tensor pow(const Tensor& x, double p) {
  return unary_op(UnaryOp::PowScalar, x, "pow", "PowScalarBackward",
                  [p](const Tensor& g, const Tensor& x, const Tensor&) {
                    if (p == 0.0) return zeros_like(g);
                    return mul(g, mul(pow(x, p - 1.0), scalar_like(p, x)));
                  },
                  {p, 0.0});
}

namespace {
// Gradient split for minimum/maximum: the winner gets g, ties give half to each.
Pair min_max_backward(const Tensor& g, const Tensor& a, const Tensor& b, bool is_min, const Needs& n) {
  Tensor a_wins = is_min ? lt(a, b) : gt(a, b);
  Tensor tie = mul(eq(a, b), scalar_like(0.5, a));
  Tensor wa = add(a_wins, tie);
  Tensor ga = n[0] ? mul(g, wa) : Tensor();
  Tensor gb = n[1] ? mul(g, sub(scalar_like(1.0, wa), wa)) : Tensor();
  return {ga, gb};
}
}  // namespace

Tensor minimum(const Tensor& a, const Tensor& b) {
  return binary_op(BinaryOp::Minimum, a, b, "minimum", "MinimumBackward",
                   [](const Tensor& g, const Tensor& a, const Tensor& b, const Tensor&, const Needs& n) {
                     return min_max_backward(g, a, b, true, n);
                   });
}

Tensor maximum(const Tensor& a, const Tensor& b) {
  return binary_op(BinaryOp::Maximum, a, b, "maximum", "MaximumBackward",
                   [](const Tensor& g, const Tensor& a, const Tensor& b, const Tensor&, const Needs& n) {
                     return min_max_backward(g, a, b, false, n);
                   });
}

Tensor neg(const Tensor& x) {
  if (x.dtype() == DType::Int64) return binary_kernel(BinaryOp::Sub, scalar_tensor(0, x.options()), x, {}, "neg");
  return unary_op(UnaryOp::Neg, x, "neg", "NegBackward",
                  [](const Tensor& g, const Tensor&, const Tensor&) { return neg(g); });
}

Tensor exp(const Tensor& x) {
  return unary_op(UnaryOp::Exp, x, "exp", "ExpBackward",
                  [](const Tensor& g, const Tensor&, const Tensor& y) { return mul(g, y); });
}

Tensor log(const Tensor& x) {
  return unary_op(UnaryOp::Log, x, "log", "LogBackward",
                  [](const Tensor& g, const Tensor& x, const Tensor&) { return div(g, x); });
}

// d sqrt(x) = 1 / (2 sqrt(x))
Tensor sqrt(const Tensor& x) {
  return unary_op(UnaryOp::Sqrt, x, "sqrt", "SqrtBackward", [](const Tensor& g, const Tensor&, const Tensor& y) {
    return div(g, mul(y, scalar_like(2.0, y)));
  });
}

// d x^(-1/2) = -1/2 x^(-3/2) = -y^3 / 2
Tensor rsqrt(const Tensor& x) {
  return unary_op(UnaryOp::Rsqrt, x, "rsqrt", "RsqrtBackward", [](const Tensor& g, const Tensor&, const Tensor& y) {
    return mul(g, mul(mul(y, mul(y, y)), scalar_like(-0.5, y)));
  });
}

Tensor abs(const Tensor& x) {
  return unary_op(UnaryOp::Abs, x, "abs", "AbsBackward",
                  [](const Tensor& g, const Tensor& x, const Tensor&) { return mul(g, sign(x)); });
}

Tensor sign(const Tensor& x) {
  return unary_op(UnaryOp::Sign, x, "sign", "SignBackward",
                  [](const Tensor& g, const Tensor&, const Tensor&) { return zeros_like(g); });
}

Tensor square(const Tensor& x) {
  return unary_op(UnaryOp::Square, x, "square", "SquareBackward", [](const Tensor& g, const Tensor& x, const Tensor&) {
    return mul(g, mul(x, scalar_like(2.0, x)));
  });
}

// d(1/x) = -1/x^2 = -y^2
Tensor reciprocal(const Tensor& x) {
  return unary_op(UnaryOp::Reciprocal, x, "reciprocal", "ReciprocalBackward",
                  [](const Tensor& g, const Tensor&, const Tensor& y) { return neg(mul(g, mul(y, y))); });
}

// d erf(x) = 2/sqrt(pi) exp(-x^2)
Tensor erf(const Tensor& x) {
  return unary_op(UnaryOp::Erf, x, "erf", "ErfBackward", [](const Tensor& g, const Tensor& x, const Tensor&) {
    return mul(g, mul(exp(neg(mul(x, x))), scalar_like(2.0 / std::sqrt(std::numbers::pi), x)));
  });
}

Tensor clamp(const Tensor& x, std::optional<double> lo, std::optional<double> hi) {
  const double l = lo.value_or(-INFINITY), h = hi.value_or(INFINITY);
  ADVGRAD_CHECK(!(l > h), "clamp: lower bound ", l, " exceeds upper bound ", h);
  const OpParams p{l, h};
  return unary_op(UnaryOp::Clamp, x, "clamp", "ClampBackward",
                  [p](const Tensor& g, const Tensor& x, const Tensor&) {
                    return detail::fused_or_composite(BinaryOp::ClampBackward, g, x, p, [&] {
                      Tensor inside = mul(ge(x, scalar_like(p.a, x)), le(x, scalar_like(p.b, x)));
                      return mul(g, inside);
                    });
                  },
                  p);
}

// Tensor bounds: where(x < lo, lo, where(x > hi, hi, x)). At x == bound the
// gradient goes to x, matching the scalar clamp.
Tensor clamp(const Tensor& x, const Tensor& lo, const Tensor& hi) {
  Tensor out = x;
  if (lo.defined()) out = where(lt(out, lo), lo, out);
  if (hi.defined()) out = where(gt(out, hi), hi, out);
  return out;
}

Tensor where(const Tensor& cond_in, const Tensor& a_in, const Tensor& b_in) {
  auto [a, b] = detail::unify_dtypes(a_in, b_in, "where");
  detail::check_defined(cond_in, "where", "condition");
  detail::check_same_device(cond_in, a, "where");
  Tensor cond = cond_in.dtype() == a.dtype() ? cond_in : cond_in.to(a.dtype());
  const Shape shape = broadcast_shapes(broadcast_shapes(cond.shape(), a.shape(), "where"), b.shape(), "where");
  Tensor out = Tensor::empty(shape, a.options());
  detail::backend_of(a).where(a.dtype(), detail::make_loop(shape, {&out, &cond, &a, &b}, "where"), out.raw_data(),
                              cond.raw_data(), a.raw_data(), b.raw_data());
  if (autograd::any_requires_grad({&a, &b})) {
    const Shape sa = a.shape(), sb = b.shape();
    auto node = autograd::record("WhereBackward", {a, b}, {&out}, [sa, sb](FunctionNode& self, Grads& g, const Needs& n) {
      Tensor c = self.saved(0);
      Tensor z = zeros({}, g[0].options());
      return Grads{n[0] ? sum_to(where(c, g[0], z), sa) : Tensor(), n[1] ? sum_to(where(c, z, g[0]), sb) : Tensor()};
    });
    node->save(cond.detach(), false);
  }
  return out;
}

// ---- comparisons: no gradient ----
Tensor eq(const Tensor& a, const Tensor& b) { return binary_kernel(BinaryOp::Eq, a, b, {}, "eq"); }
Tensor ne(const Tensor& a, const Tensor& b) { return binary_kernel(BinaryOp::Ne, a, b, {}, "ne"); }
Tensor lt(const Tensor& a, const Tensor& b) { return binary_kernel(BinaryOp::Lt, a, b, {}, "lt"); }
Tensor le(const Tensor& a, const Tensor& b) { return binary_kernel(BinaryOp::Le, a, b, {}, "le"); }
Tensor gt(const Tensor& a, const Tensor& b) { return binary_kernel(BinaryOp::Gt, a, b, {}, "gt"); }
Tensor ge(const Tensor& a, const Tensor& b) { return binary_kernel(BinaryOp::Ge, a, b, {}, "ge"); }

// ---- operators ----
Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator-(const Tensor& x) { return neg(x); }
Tensor operator+(const Tensor& a, double b) { return add(a, scalar_like(b, a)); }
Tensor operator-(const Tensor& a, double b) { return sub(a, scalar_like(b, a)); }
Tensor operator*(const Tensor& a, double b) { return mul(a, scalar_like(b, a)); }
Tensor operator/(const Tensor& a, double b) { return div(a, scalar_like(b, a)); }
Tensor operator+(double a, const Tensor& b) { return add(scalar_like(a, b), b); }
Tensor operator-(double a, const Tensor& b) { return sub(scalar_like(a, b), b); }
Tensor operator*(double a, const Tensor& b) { return mul(scalar_like(a, b), b); }
Tensor operator/(double a, const Tensor& b) { return div(scalar_like(a, b), b); }

}  // namespace advgrad
