#pragma once
// The per-element math of every elementwise op, written once and shared by the
// reference loops, the fast CPU loops and (later) the CUDA kernels. Each op has
// its formula beside it; backward ops ("...Backward") take (grad, x) or
// (grad, y) and return grad * f'(x) — used when no double-backward graph is
// needed (core/ uses a composite of differentiable ops otherwise).
//
// Sub-gradient conventions (identical on every backend):
//   relu'(0) = 0, relu6'(0) = relu6'(6) = 0, leaky_relu'(0) = slope, elu'(0) = alpha, abs'(0) = sign(0) = 0,
//   clamp passes the gradient where lo <= x <= hi (bounds included),
//   minimum/maximum split the gradient in half on ties.
#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#define ADVGRAD_HD __host__ __device__
#else
#define ADVGRAD_HD
#endif

namespace advgrad::kernels {

struct OpParams {
  double a = 0.0;  // alpha / slope / beta / exponent / lo
  double b = 0.0;  // threshold / hi
};

// clang-format off
#define ADVGRAD_UNARY_OPS(X)                                                          \
  X(Copy) X(Neg) X(Exp) X(Log) X(Sqrt) X(Rsqrt) X(Abs) X(Sign) X(Square) X(Reciprocal) \
  X(Erf) X(Relu) X(Sigmoid) X(Tanh) X(Gelu) X(GeluTanh) X(Silu) X(Elu) X(LeakyRelu)    \
  X(Softplus) X(PowScalar) X(Clamp) X(Relu6)

#define ADVGRAD_BINARY_OPS(X)                                                                \
  X(Add) X(Sub) X(Mul) X(Div) X(Pow) X(Minimum) X(Maximum) X(Eq) X(Ne) X(Lt) X(Le) X(Gt) X(Ge) \
  X(ReluBackward) X(LeakyReluBackward) X(EluBackward) X(GeluBackward) X(GeluTanhBackward)    \
  X(SiluBackward) X(SoftplusBackward) X(SigmoidBackward) X(TanhBackward) X(ClampBackward)    \
  X(Relu6Backward)
// clang-format on

#define ADVGRAD_TERNARY_OPS(X) X(Where)

#define ADVGRAD_ENUM_ENTRY(name) name,
enum class UnaryOp { ADVGRAD_UNARY_OPS(ADVGRAD_ENUM_ENTRY) };
enum class BinaryOp { ADVGRAD_BINARY_OPS(ADVGRAD_ENUM_ENTRY) };
enum class TernaryOp { ADVGRAD_TERNARY_OPS(ADVGRAD_ENUM_ENTRY) };
#undef ADVGRAD_ENUM_ENTRY

const char* unary_op_name(UnaryOp op);
const char* binary_op_name(BinaryOp op);

// Calls f.template operator()<Op>() with the runtime op as a template argument,
// so loops are instantiated per op and the switch stays outside the hot loop.
template <typename F>
void visit(UnaryOp op, F&& f) {
  switch (op) {
#define ADVGRAD_CASE(name) \
  case UnaryOp::name: f.template operator()<UnaryOp::name>(); return;
    ADVGRAD_UNARY_OPS(ADVGRAD_CASE)
#undef ADVGRAD_CASE
  }
}
template <typename F>
void visit(BinaryOp op, F&& f) {
  switch (op) {
#define ADVGRAD_CASE(name) \
  case BinaryOp::name: f.template operator()<BinaryOp::name>(); return;
    ADVGRAD_BINARY_OPS(ADVGRAD_CASE)
#undef ADVGRAD_CASE
  }
}

namespace math {
template <typename T> ADVGRAD_HD inline T sigmoid(T x) {
  // Stable for large |x|: never exponentiates a large positive number.
  if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}
template <typename T> ADVGRAD_HD inline T sign(T x) { return T((x > T(0)) - (x < T(0))); }
constexpr double kInvSqrt2 = 0.70710678118654752440;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;
constexpr double kSqrt2OverPi = 0.79788456080286535588;
constexpr double kGeluCubic = 0.044715;
}  // namespace math

template <UnaryOp Op, typename T>
ADVGRAD_HD inline T unary_scalar(T x, const OpParams& p) {
  using std::exp, std::expm1, std::log, std::sqrt, std::tanh, std::erf, std::erfc, std::log1p, std::pow, std::fabs;
  if constexpr (Op == UnaryOp::Copy) return x;
  else if constexpr (Op == UnaryOp::Neg) return -x;
  else if constexpr (Op == UnaryOp::Exp) return exp(x);
  else if constexpr (Op == UnaryOp::Log) return log(x);
  else if constexpr (Op == UnaryOp::Sqrt) return sqrt(x);
  else if constexpr (Op == UnaryOp::Rsqrt) return T(1) / sqrt(x);
  else if constexpr (Op == UnaryOp::Abs) return fabs(x);
  else if constexpr (Op == UnaryOp::Sign) return math::sign(x);
  else if constexpr (Op == UnaryOp::Square) return x * x;
  else if constexpr (Op == UnaryOp::Reciprocal) return T(1) / x;
  else if constexpr (Op == UnaryOp::Erf) return erf(x);
  else if constexpr (Op == UnaryOp::Relu) return x < T(0) ? T(0) : x;  // keeps NaN, like torch
  else if constexpr (Op == UnaryOp::Sigmoid) return math::sigmoid(x);
  else if constexpr (Op == UnaryOp::Tanh) return tanh(x);
  // gelu(x) = x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) = 0.5 x erfc(-x / sqrt 2);
  // erfc keeps the left tail, where 1 + erf cancels to 0 (x < -5.5 in float)
  else if constexpr (Op == UnaryOp::Gelu) return T(0.5) * x * erfc(-x * T(math::kInvSqrt2));
  // tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
  else if constexpr (Op == UnaryOp::GeluTanh)
    return T(0.5) * x * (T(1) + tanh(T(math::kSqrt2OverPi) * (x + T(math::kGeluCubic) * x * x * x)));
  else if constexpr (Op == UnaryOp::Silu) return x * math::sigmoid(x);
  // elu(x) = x (x > 0), alpha (e^x - 1) otherwise (expm1: no cancellation near 0)
  else if constexpr (Op == UnaryOp::Elu) return x > T(0) ? x : T(p.a) * expm1(x);
  else if constexpr (Op == UnaryOp::LeakyRelu) return x > T(0) ? x : T(p.a) * x;
  // softplus(x) = log(1 + e^(beta x)) / beta, linear above the threshold
  else if constexpr (Op == UnaryOp::Softplus) {
    const T bx = T(p.a) * x;
    return bx > T(p.b) ? x : log1p(exp(bx)) / T(p.a);
  } else if constexpr (Op == UnaryOp::PowScalar) return pow(x, T(p.a));
  else if constexpr (Op == UnaryOp::Clamp) return x < T(p.a) ? T(p.a) : (x > T(p.b) ? T(p.b) : x);
  // relu6(x) = min(max(x, 0), 6) (MobileNet's activation; keeps NaN like relu)
  else if constexpr (Op == UnaryOp::Relu6)
    return x < T(0) ? T(0) : (x > T(6) ? T(6) : x);
}

template <BinaryOp Op, typename T>
ADVGRAD_HD inline T binary_scalar(T a, T b, const OpParams& p) {
  using std::exp, std::tanh, std::erfc, std::pow;
  if constexpr (Op == BinaryOp::Add) return a + b;
  else if constexpr (Op == BinaryOp::Sub) return a - b;
  else if constexpr (Op == BinaryOp::Mul) return a * b;
  else if constexpr (Op == BinaryOp::Div) return a / b;
  else if constexpr (Op == BinaryOp::Pow) return pow(a, b);
  // NaN propagates through minimum/maximum (like torch.minimum).
  else if constexpr (Op == BinaryOp::Minimum) return (a != a || a < b) ? a : b;
  else if constexpr (Op == BinaryOp::Maximum) return (a != a || a > b) ? a : b;
  else if constexpr (Op == BinaryOp::Eq) return T(a == b);
  else if constexpr (Op == BinaryOp::Ne) return T(a != b);
  else if constexpr (Op == BinaryOp::Lt) return T(a < b);
  else if constexpr (Op == BinaryOp::Le) return T(a <= b);
  else if constexpr (Op == BinaryOp::Gt) return T(a > b);
  else if constexpr (Op == BinaryOp::Ge) return T(a >= b);
  // ---- activation backward: a = incoming gradient, b = x (or y where noted) ----
  else if constexpr (Op == BinaryOp::ReluBackward) return b > T(0) ? a : T(0);
  // relu6'(x) = 1 for 0 < x < 6 strictly, 0 elsewhere (torch's hardtanh backward:
  // at both kinks the gradient is 0, unlike clamp, which includes its bounds)
  else if constexpr (Op == BinaryOp::Relu6Backward)
    return (b > T(0) && b < T(6)) ? a : T(0);
  else if constexpr (Op == BinaryOp::LeakyReluBackward) return b > T(0) ? a : a * T(p.a);
  else if constexpr (Op == BinaryOp::EluBackward) return b > T(0) ? a : a * T(p.a) * exp(b);
  // gelu'(x) = Phi(x) + x phi(x)
  else if constexpr (Op == BinaryOp::GeluBackward) {
    const T cdf = T(0.5) * erfc(-b * T(math::kInvSqrt2));
    const T pdf = T(math::kInvSqrt2Pi) * exp(T(-0.5) * b * b);
    return a * (cdf + b * pdf);
  }
  // d/dx 0.5 x (1 + tanh u) = 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) u',
  // u = sqrt(2/pi) (x + c x^3), u' = sqrt(2/pi) (1 + 3 c x^2)
  else if constexpr (Op == BinaryOp::GeluTanhBackward) {
    const T u = T(math::kSqrt2OverPi) * (b + T(math::kGeluCubic) * b * b * b);
    const T th = tanh(u);
    const T du = T(math::kSqrt2OverPi) * (T(1) + T(3 * math::kGeluCubic) * b * b);
    return a * (T(0.5) * (T(1) + th) + T(0.5) * b * (T(1) - th * th) * du);
  }
  // silu'(x) = s (1 + x (1 - s)), s = sigmoid(x)
  else if constexpr (Op == BinaryOp::SiluBackward) {
    const T s = math::sigmoid(b);
    return a * s * (T(1) + b * (T(1) - s));
  }
  // softplus'(x) = sigmoid(beta x) below the threshold, 1 above
  else if constexpr (Op == BinaryOp::SoftplusBackward) {
    const T bx = T(p.a) * b;
    return bx > T(p.b) ? a : a * math::sigmoid(bx);
  }
  // b = y = sigmoid(x): sigmoid' = y (1 - y)
  else if constexpr (Op == BinaryOp::SigmoidBackward) return a * b * (T(1) - b);
  // b = y = tanh(x): tanh' = 1 - y^2
  else if constexpr (Op == BinaryOp::TanhBackward) return a * (T(1) - b * b);
  else if constexpr (Op == BinaryOp::ClampBackward) return (b >= T(p.a) && b <= T(p.b)) ? a : T(0);
}

// where(c, a, b) = c != 0 ? a : b
template <typename T>
ADVGRAD_HD inline T where_scalar(T c, T a, T b) {
  return c != T(0) ? a : b;
}

}  // namespace advgrad::kernels
