// matmul and linear through the op harness (fast vs reference kernels,
// float64 gradcheck and gradgradcheck), plus shape/dtype errors.
#include "testing.h"

namespace advgrad {
namespace {

using testing::all_close;
using testing::check_op;
using testing::OpCase;
using testing::random_tensor;
using V = std::vector<Tensor>;

Tensor leaf(const Shape& s, std::uint64_t salt) {
  return random_tensor(s, salt, DType::Float64).requires_grad_(true);
}

Tensor mm(const V& x) { return matmul(x[0], x[1]); }

TEST(Matmul, VectorAndMatrixPromotion) {
  check_op({"dot", mm, {leaf({7}, 1), leaf({7}, 2)}});
  check_op({"vec_mat", mm, {leaf({5}, 3), leaf({5, 4}, 4)}});
  check_op({"mat_vec", mm, {leaf({3, 5}, 5), leaf({5}, 6)}});
  check_op({"mat_mat", mm, {leaf({3, 5}, 7), leaf({5, 4}, 8)}});
  check_op({"vec_batched", mm, {leaf({5}, 9), leaf({2, 5, 3}, 10)}});
  check_op({"batched_vec", mm, {leaf({2, 3, 5}, 11), leaf({5}, 12)}});
}

TEST(Matmul, BatchedWithBroadcasting) {
  check_op({"batched", mm, {leaf({2, 3, 4}, 20), leaf({2, 4, 5}, 21)}});
  check_op({"batched_times_matrix", mm, {leaf({2, 3, 4}, 22), leaf({4, 5}, 23)}});
  check_op({"matrix_times_batched", mm, {leaf({3, 4}, 24), leaf({2, 4, 5}, 25)}});
  check_op({"broadcast_batch_dims", mm, {leaf({2, 1, 3, 4}, 26), leaf({3, 4, 2}, 27)}});
  check_op({"broadcast_size_one", mm, {leaf({1, 3, 4}, 28), leaf({3, 4, 2}, 29)}});
}

TEST(Matmul, StridedOperandsWithoutCopies) {
  // Transposed views map to GEMM's trans flags; a slice keeps a padded row stride.
  check_op({"transposed_a", [](const V& x) { return matmul(x[0].t(), x[1]); }, {leaf({5, 3}, 30), leaf({5, 4}, 31)}});
  check_op({"transposed_b", [](const V& x) { return matmul(x[0], x[1].t()); }, {leaf({3, 5}, 32), leaf({4, 5}, 33)}});
  check_op({"both_transposed", [](const V& x) { return matmul(x[0].transpose(-1, -2), x[1].transpose(-1, -2)); },
            {leaf({2, 5, 3}, 34), leaf({2, 4, 5}, 35)}});
  check_op({"sliced", [](const V& x) { return matmul(x[0].slice(1, 1, 6), x[1].slice(0, 0, 5)); },
            {leaf({3, 7}, 36), leaf({6, 4}, 37)}});
  check_op({"permuted_batch", [](const V& x) { return matmul(x[0].permute({1, 0, 2}), x[1]); },
            {leaf({3, 2, 4}, 38), leaf({2, 4, 3}, 39)}});
  check_op({"expanded", [](const V& x) { return matmul(x[0].expand({3, 2, 4}), x[1]); },
            {leaf({2, 4}, 40), leaf({3, 4, 5}, 41)}});
  // Every other column: neither dim has stride 1, so the operand is copied.
  check_op({"strided_columns", [](const V& x) { return matmul(x[0].slice(1, 0, 8, 2), x[1]); },
            {leaf({3, 8}, 42), leaf({4, 2}, 43)}});
}

TEST(Matmul, LargerThanTheSmallPath) {
  // Goes through the packed kernel (edges in every direction) and its threads.
  check_op({"packed", mm, {leaf({2, 37, 41}, 50), leaf({41, 45}, 51)}, true, 1e-4, 1e-4});
}

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

TEST(Linear, WithAndWithoutBias) {
  check_op({"linear", [](const V& x) { return linear(x[0], x[1], x[2]); },
            {leaf({4, 5}, 70), leaf({3, 5}, 71), leaf({3}, 72)}});
  check_op({"linear_no_bias", [](const V& x) { return linear(x[0], x[1]); }, {leaf({4, 5}, 73), leaf({3, 5}, 74)}});
  check_op({"linear_3d_input", [](const V& x) { return linear(x[0], x[1], x[2]); },
            {leaf({2, 3, 5}, 75), leaf({4, 5}, 76), leaf({4}, 77)}});
  check_op({"linear_1d_input", [](const V& x) { return linear(x[0], x[1], x[2]); },
            {leaf({5}, 78), leaf({4, 5}, 79), leaf({4}, 80)}});
  check_op({"linear_transposed_weight", [](const V& x) { return linear(x[0], x[1].t(), x[2]); },
            {leaf({4, 5}, 81), leaf({5, 3}, 82), leaf({3}, 83)}});
  check_op({"linear_constant_weight", [](const V& x) { return linear(x[0], x[1], x[2]); },
            {leaf({4, 5}, 84), random_tensor({3, 5}, 85), leaf({3}, 86)}});
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
