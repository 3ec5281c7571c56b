// Elementwise ops and activations through the op harness: fast vs reference,
// gradcheck and gradgradcheck in float64, on odd shapes with broadcasting.
#include "testing.h"

namespace advgrad {
namespace {

using testing::check_op;
using testing::OpCase;
using testing::random_tensor;
using V = std::vector<Tensor>;

Tensor leaf(const Shape& s, std::uint64_t salt, double lo = -1.0, double hi = 1.0) {
  return random_tensor(s, salt, DType::Float64, lo, hi).requires_grad_(true);
}

TEST(ElementwiseOps, BinaryArithmeticWithBroadcasting) {
  check_op({"add", [](const V& x) { return add(x[0], x[1]); }, {leaf({3, 5}, 1), leaf({5}, 2)}});
  check_op({"sub", [](const V& x) { return sub(x[0], x[1]); }, {leaf({2, 1, 3}, 3), leaf({4, 3}, 4)}});
  check_op({"mul", [](const V& x) { return mul(x[0], x[1]); }, {leaf({3, 4}, 5), leaf({3, 1}, 6)}});
  check_op({"div", [](const V& x) { return div(x[0], x[1]); }, {leaf({3, 4}, 7), leaf({4}, 8, 0.5, 2.0)}});
  check_op({"pow", [](const V& x) { return pow(x[0], x[1]); }, {leaf({3, 4}, 9, 0.5, 2.0), leaf({3, 4}, 10)}});
  check_op({"pow_scalar", [](const V& x) { return pow(x[0], 3.0); }, {leaf({5, 3}, 11)}});
  check_op({"scalar_ops", [](const V& x) { return (2.0 - x[0]) * 3.0 / (x[0] + 4.0); }, {leaf({7}, 12)}});
}

TEST(ElementwiseOps, MinimumMaximumAwayFromTies) {
  check_op({"minimum", [](const V& x) { return minimum(x[0], x[1]); }, {leaf({4, 3}, 13), leaf({3}, 14)}});
  check_op({"maximum", [](const V& x) { return maximum(x[0], x[1]); }, {leaf({4, 3}, 15), leaf({4, 3}, 16)}});
}

TEST(ElementwiseOps, UnaryMath) {
  check_op({"neg", [](const V& x) { return neg(x[0]); }, {leaf({3, 3}, 20)}});
  check_op({"exp", [](const V& x) { return exp(x[0]); }, {leaf({3, 5}, 21)}});
  check_op({"log", [](const V& x) { return log(x[0]); }, {leaf({3, 5}, 22, 0.5, 2.0)}});
  check_op({"sqrt", [](const V& x) { return sqrt(x[0]); }, {leaf({4, 3}, 23, 0.5, 2.0)}});
  check_op({"rsqrt", [](const V& x) { return rsqrt(x[0]); }, {leaf({4, 3}, 24, 0.5, 2.0)}});
  check_op({"abs", [](const V& x) { return abs(x[0]); }, {leaf({4, 3}, 25)}});
  check_op({"square", [](const V& x) { return square(x[0]); }, {leaf({4, 3}, 26)}});
  check_op({"reciprocal", [](const V& x) { return reciprocal(x[0]); }, {leaf({4, 3}, 27, 0.5, 2.0)}});
  check_op({"erf", [](const V& x) { return erf(x[0]); }, {leaf({4, 3}, 28)}});
  check_op({"clamp", [](const V& x) { return clamp(x[0], -0.5, 0.4); }, {leaf({5, 4}, 29)}});
  check_op({"clamp_tensor", [](const V& x) { return clamp(x[0], x[1], x[2]); },
            {leaf({5, 4}, 30), leaf({4}, 31, -1.0, -0.3), leaf({5, 1}, 32, 0.3, 1.0)}});
  check_op({"where", [](const V& x) { return where(gt(x[0], x[1]), x[0] * 2.0, x[1]); },
            {leaf({3, 4}, 33), leaf({4}, 34)}});
}

TEST(ElementwiseOps, Activations) {
  check_op({"relu", [](const V& x) { return relu(x[0]); }, {leaf({6, 5}, 40)}});
  check_op({"leaky_relu", [](const V& x) { return leaky_relu(x[0], 0.1); }, {leaf({6, 5}, 41)}});
  check_op({"elu", [](const V& x) { return elu(x[0], 0.7); }, {leaf({6, 5}, 42)}});
  check_op({"gelu", [](const V& x) { return gelu(x[0]); }, {leaf({6, 5}, 43, -3, 3)}});
  check_op({"gelu_tanh", [](const V& x) { return gelu(x[0], true); }, {leaf({6, 5}, 44, -3, 3)}});
  check_op({"silu", [](const V& x) { return silu(x[0]); }, {leaf({6, 5}, 45, -3, 3)}});
  check_op({"softplus", [](const V& x) { return softplus(x[0], 2.0, 3.0); }, {leaf({6, 5}, 46, -3, 3)}});
  check_op({"sigmoid", [](const V& x) { return sigmoid(x[0]); }, {leaf({6, 5}, 47, -3, 3)}});
  check_op({"tanh", [](const V& x) { return tanh(x[0]); }, {leaf({6, 5}, 48, -3, 3)}});
}

TEST(ElementwiseOps, SubgradientConventionsAtKinks) {
  Tensor x = from_vector(std::vector<double>{-1.0, 0.0, 1.0}, {3}, {.dtype = DType::Float64}).requires_grad_(true);
  auto g = [&](Tensor (*f)(const Tensor&)) { return autograd::grad({sum(f(x))}, {x})[0].to_double_vector(); };
  EXPECT_EQ(g([](const Tensor& t) { return relu(t); }), (std::vector<double>{0, 0, 1}));
  EXPECT_EQ(g([](const Tensor& t) { return abs(t); }), (std::vector<double>{-1, 0, 1}));
  auto gc = autograd::grad({sum(clamp(x, 0.0, 1.0))}, {x})[0].to_double_vector();
  EXPECT_EQ(gc, (std::vector<double>{0, 1, 1}));  // bounds included
  Tensor y = zeros({3}, {.dtype = DType::Float64});
  auto gm = autograd::grad({sum(maximum(x, y))}, {x})[0].to_double_vector();
  EXPECT_EQ(gm, (std::vector<double>{0, 0.5, 1}));  // tie split in half
}

TEST(ElementwiseOps, ComparisonsAndIntegers) {
  Tensor a = from_vector(std::vector<std::int64_t>{1, 2, 3}, {3});
  Tensor b = from_vector(std::vector<std::int64_t>{3, 2, 1}, {3});
  EXPECT_EQ(eq(a, b).to_int_vector(), (std::vector<std::int64_t>{0, 1, 0}));
  EXPECT_EQ(add(a, b).to_int_vector(), (std::vector<std::int64_t>{4, 4, 4}));
  EXPECT_THROW(exp(a), Error);
}

TEST(ElementwiseOps, BadInputsNameTheOp) {
  Tensor a = zeros({2, 3}), b = zeros({4, 3});
  try {
    add(a, b);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("add: shapes [2, 3] and [4, 3] cannot be broadcast"), std::string::npos)
        << e.what();
  }
  try {
    mul(zeros({2}), zeros({2}, {.dtype = DType::Float64}));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("mul: dtype mismatch"), std::string::npos) << e.what();
  }
  EXPECT_THROW(add(a, Tensor()), Error);
}

}  // namespace
}  // namespace advgrad
