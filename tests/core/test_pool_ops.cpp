// Pooling ops through the op harness (fast vs reference, gradcheck,
// gradgradcheck, non-contiguous inputs), the max-pool tie convention, the
// differentiable backward of max pooling, and argument errors.
#include <string>

#include "testing.h"

namespace advgrad {
namespace {

using testing::check_op;
using testing::OpCase;
using testing::random_tensor;
using V = std::vector<Tensor>;

Tensor leaf(const Shape& s, std::uint64_t salt) { return random_tensor(s, salt).requires_grad_(true); }

Pool2dOptions window(std::int64_t k, std::int64_t stride = 0, std::int64_t pad = 0, bool ceil_mode = false,
                     bool include_pad = true) {
  return {k, k, stride, stride, pad, pad, ceil_mode, include_pad};
}

TEST(PoolOps, MaxPool) {
  check_op({"max_pool2d 2x2", [](const V& x) { return max_pool2d(x[0], window(2)); }, {leaf({2, 3, 7, 6}, 1)}});
  check_op({"max_pool2d 3x3 s2 p1", [](const V& x) { return max_pool2d(x[0], window(3, 2, 1)); },
            {leaf({2, 3, 7, 8}, 2)}});
  Pool2dOptions o{
      .kernel_h = 3, .kernel_w = 2, .stride_h = 2, .stride_w = 1, .pad_h = 1, .pad_w = 1, .ceil_mode = true};
  check_op({"max_pool2d 3x2 ceil", [o](const V& x) { return max_pool2d(x[0], o); }, {leaf({1, 2, 8, 5}, 3)}});
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

// Max pooling's backward (a scatter by the indices) is differentiable in the
// incoming gradient: its derivative gathers by the same indices.
TEST(PoolOps, MaxPoolBackwardIsDifferentiable) {
  check_op({"max_pool2d backward",
            [](const V& x) {
              Tensor y = max_pool2d(x[0], window(3, 2, 1));
              return autograd::grad({sum(mul(y, x[1]))}, {x[0]}, {}, {.create_graph = true})[0];
            },
            {leaf({2, 2, 7, 6}, 5), leaf({2, 2, 4, 3}, 6)}});
}

TEST(PoolOps, AvgPool) {
  check_op({"avg_pool2d 2x2", [](const V& x) { return avg_pool2d(x[0], window(2)); }, {leaf({2, 3, 7, 6}, 7)}});
  check_op({"avg_pool2d 3x3 s2 p1", [](const V& x) { return avg_pool2d(x[0], window(3, 2, 1)); },
            {leaf({2, 3, 7, 8}, 8)}});
  check_op({"avg_pool2d exclude pad ceil", [](const V& x) { return avg_pool2d(x[0], window(3, 2, 1, true, false)); },
            {leaf({2, 2, 8, 7}, 9)}});
  check_op({"avg_pool2d backward",
            [](const V& x) {
              Tensor y = avg_pool2d(x[0], window(3, 2, 1, true, true));
              return autograd::grad({sum(mul(y, x[1]))}, {x[0]}, {}, {.create_graph = true})[0];
            },
            {leaf({1, 2, 8, 7}, 10), leaf({1, 2, 5, 4}, 11)}});
}

TEST(PoolOps, AdaptiveAndGlobalAvgPool) {
  check_op({"adaptive_avg_pool2d 3x2", [](const V& x) { return adaptive_avg_pool2d(x[0], 3, 2); },
            {leaf({2, 3, 7, 5}, 12)}});
  check_op({"adaptive_avg_pool2d growing", [](const V& x) { return adaptive_avg_pool2d(x[0], 5, 4); },
            {leaf({1, 2, 3, 3}, 13)}});
  check_op({"global_avg_pool2d", [](const V& x) { return global_avg_pool2d(x[0]); }, {leaf({2, 3, 5, 4}, 14)}});
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

void expect_error(const std::function<void()>& f, const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one mentioning '" << parts[0] << "'";
  } catch (const Error& e) {
    const std::string msg = e.what();
    for (const auto& part : parts) EXPECT_NE(msg.find(part), std::string::npos) << "message: " << msg;
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
