// Elementwise ops and activations beyond the op registry (tests/ops/
// cases_elementwise.cpp and cases_activations.cpp check their values and
// derivatives): the sub-gradient conventions at kinks, int64 arithmetic and
// comparisons, and the errors for bad inputs.
#include <cmath>

#include "testing.h"

namespace advgrad {
namespace {

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

// relu6 = hardtanh(0, 6) with PyTorch's convention: the gradient passes only
// strictly inside (0, 6), so both kinks get 0 (clamp's bounds get 1).
TEST(ElementwiseOps, Relu6ValuesAndKinks) {
  Tensor x = from_vector(std::vector<double>{-1, 0, 3, 6, 7, NAN}, {6}, {.dtype = DType::Float64}).requires_grad_(true);
  Tensor y = relu6(x);
  const std::vector<double> v = y.to_double_vector();
  EXPECT_EQ(std::vector<double>(v.begin(), v.end() - 1), (std::vector<double>{0, 0, 3, 6, 6}));
  EXPECT_TRUE(std::isnan(v.back()));
  const std::vector<double> g =
      autograd::grad({sum(mul(y, from_vector(std::vector<double>{1, 1, 1, 1, 1, 0}, {6}, {.dtype = DType::Float64})))},
                     {x})[0]
          .to_double_vector();
  EXPECT_EQ(std::vector<double>(g.begin(), g.end() - 1), (std::vector<double>{0, 0, 1, 0, 0}));
  {
    ReferenceKernelsGuard reference;
    EXPECT_EQ(relu6(x.detach()).to_double_vector()[3], 6.0);
  }
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
