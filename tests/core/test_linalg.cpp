// matmul and linear beyond the op registry (tests/ops/cases_linalg.cpp checks
// their values and derivatives): hand-computed values, an empty inner
// dimension, input-only backward, linear == matmul + bias, and shape/dtype
// errors.
#include "testing.h"

namespace advgrad {
namespace {

using testing::all_close;
using testing::random_tensor;

TEST(Matmul, ValuesMatchHandComputation) {
  Tensor a = from_vector(std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor b = from_vector(std::vector<double>{1, 0, -1, 2, 0.5, 1}, {3, 2});
  EXPECT_EQ(matmul(a, b).to_double_vector(), (std::vector<double>{0.5, 7, 2, 16}));
  EXPECT_EQ(matmul(a, b).shape(), (Shape{2, 2}));
  Tensor v = from_vector(std::vector<double>{1, 1, 1}, {3});
  EXPECT_EQ(matmul(a, v).to_double_vector(), (std::vector<double>{6, 15}));
  EXPECT_EQ(matmul(v, v).dim(), 0);
  EXPECT_EQ(matmul(v, v).item(), 3.0);
}

TEST(Matmul, EmptyInnerDimensionGivesZeros) {
  Tensor c = matmul(zeros({2, 0}), zeros({0, 3}));
  EXPECT_EQ(c.shape(), (Shape{2, 3}));
  EXPECT_EQ(c.to_double_vector(), std::vector<double>(6, 0.0));
  EXPECT_EQ(matmul(zeros({0, 4}), zeros({4, 3})).shape(), (Shape{0, 3}));
}

TEST(Matmul, InputOnlyBackwardSkipsTheOtherGradient) {
  Tensor a = random_tensor({3, 4}, 60).requires_grad_(true);
  Tensor b = random_tensor({4, 2}, 61);
  Tensor ga = autograd::grad({sum(matmul(a, b))}, {a})[0];
  // d sum(A B) / dA = 1 B^T: every row equals the row sums of B.
  Tensor expected = matmul(ones({3, 2}, {.dtype = DType::Float64}), b.t());
  EXPECT_TRUE(all_close(ga, expected));
}

TEST(Linear, MatchesMatmulPlusBias) {
  Tensor x = random_tensor({6, 7}, 90), w = random_tensor({5, 7}, 91), b = random_tensor({5}, 92);
  EXPECT_TRUE(all_close(linear(x, w, b), add(matmul(x, w.t()), b), 1e-12, 1e-12));
}

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

#define EXPECT_ERROR_CONTAINS(expr, text)                                          \
  do {                                                                             \
    const std::string message = error_of([&] { (void)(expr); });                   \
    EXPECT_NE(message.find(text), std::string::npos) << "error was: " << message; \
  } while (0)

TEST(Matmul, BadInputsNameTheOpAndShapes) {
  EXPECT_ERROR_CONTAINS(matmul(zeros({2, 3}), zeros({4, 5})), "matmul: shapes [2, 3] and [4, 5] cannot be multiplied");
  EXPECT_ERROR_CONTAINS(matmul(zeros({3}), zeros({4})), "matmul: shapes [3] and [4] cannot be multiplied");
  EXPECT_ERROR_CONTAINS(matmul(zeros({2, 2, 3}), zeros({3, 3, 4})),
                        "matmul: batch dims of shapes [2, 2, 3] and [3, 3, 4] cannot be broadcast");
  EXPECT_ERROR_CONTAINS(matmul(zeros({}), zeros({3})), "matmul: both operands need at least 1 dim");
  EXPECT_ERROR_CONTAINS(matmul(zeros({2, 3}), zeros({3, 2}, {.dtype = DType::Float64})),
                        "matmul: dtype mismatch: float32 [2, 3] and float64 [3, 2]");
  EXPECT_ERROR_CONTAINS(matmul(zeros({2, 3}, {.dtype = DType::Int64}), zeros({3, 2}, {.dtype = DType::Int64})),
                        "matmul: expected a floating-point tensor");
  EXPECT_ERROR_CONTAINS(matmul(Tensor(), zeros({3})), "matmul: first operand is an undefined tensor");
}

TEST(Linear, BadInputsNameTheOpAndShapes) {
  EXPECT_ERROR_CONTAINS(linear(zeros({4, 5}), zeros({3, 6})),
                        "linear: input of shape [4, 5] does not match weight of shape [3, 6]");
  EXPECT_ERROR_CONTAINS(linear(zeros({4, 5}), zeros({5})), "linear: expected weight with 2 dims");
  EXPECT_ERROR_CONTAINS(linear(zeros({4, 5}), zeros({3, 5}), zeros({4})),
                        "linear: expected bias of shape [3] for weight of shape [3, 5], got [4]");
  EXPECT_ERROR_CONTAINS(linear(zeros({4, 5}), zeros({3, 5}, {.dtype = DType::Float64})), "linear: dtype mismatch");
}

}  // namespace
}  // namespace advgrad
