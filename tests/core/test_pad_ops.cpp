// pad2d beyond the op registry (tests/ops/cases_padding.cpp checks its
// gradients in every mode): hand-computed values of an asymmetric pad, the
// gradient of the constant region, and the errors for bad arguments.
#include "testing.h"

namespace advgrad {
namespace {

TEST(PadOps, AsymmetricValues) {
  Tensor x = from_vector(std::vector<double>{1, 2, 3, 4}, {1, 2, 2}, {.dtype = DType::Float64});
  Tensor y = pad2d(x, {.left = 1, .right = 0, .top = 0, .bottom = 1}, -1.0);
  EXPECT_EQ(y.shape(), (Shape{1, 3, 3}));
  EXPECT_EQ(y.to_double_vector(), (std::vector<double>{-1, 1, 2, -1, 3, 4, -1, -1, -1}));
}

TEST(PadOps, GradientIsTheWindow) {
  Tensor x = ones({2, 3}, {.dtype = DType::Float64}).requires_grad_(true);
  Tensor w = arange(0, 5 * 4, 1, {.dtype = DType::Float64}).reshape({5, 4});
  Tensor y = pad2d(x, {.left = 1, .right = 0, .top = 2, .bottom = 1});
  const std::vector<double> g = autograd::grad({sum(mul(y, w))}, {x})[0].to_double_vector();
  EXPECT_EQ(g, (std::vector<double>{9, 10, 11, 13, 14, 15}));  // rows 2-3, columns 1-3 of w
}

TEST(PadOps, BadArgumentsNameTheOp) {
  EXPECT_THROW(pad2d(ones({3}), {}), Error);
  EXPECT_THROW(pad2d(ones({2, 2}), {.left = -1}), Error);
  EXPECT_THROW(pad2d(Tensor(), {}), Error);
}

}  // namespace
}  // namespace advgrad
