// Pooling beyond the op registry (tests/ops/cases_pooling.cpp checks the
// values and derivatives of every pooling op and of their backward passes):
// the indices of max pooling, the tie convention, global == adaptive 1x1, and
// argument errors.
#include <string>

#include "expect_error.h"
#include "testing.h"

namespace advgrad {
namespace {

using testing::expect_error;
using testing::random_tensor;

Pool2dOptions window(std::int64_t k, std::int64_t stride = 0, std::int64_t pad = 0, bool ceil_mode = false,
                     bool include_pad = true) {
  return {k, k, stride, stride, pad, pad, ceil_mode, include_pad};
}

TEST(PoolOps, MaxPoolWithIndices) {
  Tensor x = random_tensor({2, 3, 5, 6}, 4);
  auto [values, indices] = max_pool2d_with_indices(x, window(2));
  EXPECT_EQ(indices.dtype(), DType::Int64);
  EXPECT_EQ(indices.shape(), (Shape{2, 3, 2, 3}));
  // values == x at the indices of each plane.
  const auto xv = x.to_double_vector(), yv = values.to_double_vector();
  const auto iv = indices.to_int_vector();
  for (std::size_t k = 0; k < yv.size(); ++k) {
    const std::size_t plane = k / 6;
    ASSERT_TRUE(iv[k] >= 0 && iv[k] < 30);
    EXPECT_EQ(yv[k], xv[plane * 30 + static_cast<std::size_t>(iv[k])]) << "output " << k;
  }
}

TEST(PoolOps, GlobalAvgPoolIsAdaptiveToOneByOne) {
  Tensor x = random_tensor({2, 3, 5, 4}, 15);
  EXPECT_TRUE(testing::all_close(global_avg_pool2d(x), adaptive_avg_pool2d(x, 1, 1).reshape({2, 3}), 1e-12, 1e-12));
}

// Ties: the first maximum of the window in row-major order takes the whole
// gradient; padding never wins even when every real value is negative.
TEST(PoolOps, MaxPoolTieConvention) {
  Tensor x = from_vector(std::vector<double>{1, 3, 3, 0,   //
                                             3, 2, 1, 3,   //
                                             -4, -2, -2, -3,  //
                                             -2, -5, -3, -2},
                         {1, 1, 4, 4}, {.dtype = DType::Float64})
                 .requires_grad_(true);
  for (bool reference : {false, true}) {
    ReferenceKernelsGuard guard(reference);
    auto [y, idx] = max_pool2d_with_indices(x, window(2));
    EXPECT_EQ(y.to_double_vector(), (std::vector<double>{3, 3, -2, -2}));
    EXPECT_EQ(idx.to_int_vector(), (std::vector<std::int64_t>{1, 2, 9, 10}));
    Tensor g = autograd::grad({sum(y)}, {x})[0];
    EXPECT_EQ(g.to_double_vector(), (std::vector<double>{0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0}));
    // 3x3 windows with padding 1 over an all-negative corner: the max is a real value.
    auto [yp, ip] = max_pool2d_with_indices(x.slice(2, 2, 4), window(3, 2, 1));
    EXPECT_EQ(yp.to_double_vector(), (std::vector<double>{-2, -2}));
    EXPECT_EQ(ip.to_int_vector(), (std::vector<std::int64_t>{1, 1}));  // overlapping windows share a max
  }
}

TEST(PoolOps, BadArguments) {
  const Tensor x = random_tensor({2, 3, 5, 6}, 20, DType::Float32);
  expect_error([&] { max_pool2d(x.reshape({6, 5, 6}), window(2)); }, {"max_pool2d", "4 dims", "[6, 5, 6]"});
  expect_error([&] { max_pool2d(x, window(3, 1, 2)); },
               {"max_pool2d", "padding (2, 2)", "half the kernel size (3, 3)"});
  expect_error([&] { avg_pool2d(x, window(2, 1, -1)); }, {"avg_pool2d", "padding (-1, -1)"});
  expect_error([&] { max_pool2d(x, window(0)); }, {"max_pool2d", "kernel size must be positive"});
  expect_error([&] { avg_pool2d(x, window(2, -1)); }, {"avg_pool2d", "stride must be positive"});
  expect_error([&] { max_pool2d(x, window(7)); }, {"max_pool2d", "kernel (7, 7)", "larger than the padded input 5x6"});
  expect_error([&] { max_pool2d(x.to(DType::Int64), window(2)); }, {"max_pool2d", "floating-point"});
  expect_error([&] { adaptive_avg_pool2d(x, 0, 2); }, {"adaptive_avg_pool2d", "output size must be positive"});
  expect_error([&] { adaptive_avg_pool2d(x.reshape({30, 6}), 2, 2); }, {"adaptive_avg_pool2d", "4 dims"});
  expect_error([&] { global_avg_pool2d(x.reshape({6, 30})); }, {"global_avg_pool2d", "4 dims", "[6, 30]"});
}

}  // namespace
}  // namespace advgrad
