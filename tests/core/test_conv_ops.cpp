// conv2d through the op harness (fast vs reference, float64 gradcheck and
// gradgradcheck, non-contiguous inputs), its backward ops as differentiable ops
// of their own, input-only / weight-only backward skipping kernels, and
// argument errors.
#include <string>

#include "advgrad/core/ops/conv_internal.h"
#include "testing.h"

namespace advgrad {
namespace {

using testing::check_op;
using testing::OpCase;
using testing::random_tensor;
using V = std::vector<Tensor>;

Tensor leaf(const Shape& s, std::uint64_t salt) { return random_tensor(s, salt).requires_grad_(true); }

Conv2dOptions opts(std::int64_t stride, std::int64_t pad, std::int64_t dilation = 1, std::int64_t groups = 1) {
  return {stride, stride, pad, pad, dilation, dilation, groups};
}

TEST(ConvOps, Conv2dWithBias) {
  check_op({"conv2d 3x3 pad 1",
            [](const V& x) { return conv2d(x[0], x[1], x[2], opts(1, 1)); },
            {leaf({2, 3, 7, 6}, 1), leaf({4, 3, 3, 3}, 2), leaf({4}, 3)}});
}

TEST(ConvOps, Conv2dStrideNonSquareKernel) {
  Conv2dOptions o{.stride_h = 2, .stride_w = 1, .pad_h = 2, .pad_w = 1};
  check_op({"conv2d 5x3 stride (2,1)", [o](const V& x) { return conv2d(x[0], x[1], x[2], o); },
            {leaf({2, 3, 9, 7}, 4), leaf({5, 3, 5, 3}, 5), leaf({5}, 6)}});
}

TEST(ConvOps, Conv2dDilation) {
  check_op({"conv2d dilation 2", [](const V& x) { return conv2d(x[0], x[1], {}, opts(1, 2, 2)); },
            {leaf({2, 2, 8, 7}, 7), leaf({3, 2, 3, 3}, 8)}});
}

TEST(ConvOps, Conv2dGroupsAndDepthwise) {
  check_op({"conv2d groups 2", [](const V& x) { return conv2d(x[0], x[1], x[2], opts(2, 1, 1, 2)); },
            {leaf({2, 4, 7, 8}, 9), leaf({6, 2, 3, 3}, 10), leaf({6}, 11)}});
  check_op({"conv2d depthwise", [](const V& x) { return conv2d(x[0], x[1], x[2], opts(1, 1, 1, 3)); },
            {leaf({2, 3, 6, 7}, 12), leaf({3, 1, 3, 3}, 13), leaf({3}, 14)}});
  check_op({"conv2d depthwise x2 stride 2", [](const V& x) { return conv2d(x[0], x[1], {}, opts(2, 1, 1, 3)); },
            {leaf({2, 3, 7, 7}, 15), leaf({6, 1, 3, 3}, 16)}});
}

TEST(ConvOps, Conv2dPointwise) {
  check_op({"conv2d 1x1", [](const V& x) { return conv2d(x[0], x[1], x[2]); },
            {leaf({2, 5, 4, 3}, 17), leaf({3, 5, 1, 1}, 18), leaf({3}, 19)}});
}

TEST(ConvOps, Conv2dConstantWeight) {
  // Only the input is differentiable: the weight is a constant (not a leaf that requires grad).
  Tensor w = random_tensor({4, 2, 3, 3}, 20);
  check_op({"conv2d constant weight", [w](const V& x) { return conv2d(x[0], w.to(x[0].dtype()), {}, opts(1, 1)); },
            {leaf({2, 2, 5, 6}, 21)}});
}

// The backward ops are differentiable ops themselves: checking them through the
// harness checks the second and third derivatives of conv2d.
TEST(ConvOps, InputGradIsDifferentiable) {
  const Conv2dOptions o = opts(2, 1, 1, 2);
  check_op({"conv2d_input_grad",
            [o](const V& x) { return detail::conv2d_input_grad(x[0], x[1], {2, 4, 7, 6}, o); },
            {leaf({2, 6, 4, 3}, 22), leaf({6, 2, 3, 3}, 23)}});
}

TEST(ConvOps, WeightGradIsDifferentiable) {
  const Conv2dOptions o{.stride_h = 1, .stride_w = 2, .pad_h = 1, .pad_w = 0, .dilation_h = 2};
  check_op({"conv2d_weight_grad",
            [o](const V& x) { return detail::conv2d_weight_grad(x[0], x[1], {3, 2, 2, 3}, o); },
            {leaf({2, 2, 6, 7}, 24), leaf({2, 3, 6, 3}, 25)}});
}

// Input-only backward (what attacks do) must not run the weight-gradient kernel,
// and a weight-only backward must not run the input-gradient kernel.
TEST(ConvOps, BackwardSkipsKernelsThatAreNotNeeded) {
  auto& calls = detail::conv_kernel_calls();
  Tensor x = random_tensor({2, 3, 6, 6}, 30, DType::Float32).requires_grad_(true);
  Tensor w = random_tensor({4, 3, 3, 3}, 31, DType::Float32).requires_grad_(true);  // a parameter
  Tensor b = random_tensor({4}, 32, DType::Float32).requires_grad_(true);
  auto loss = [&] { return sum(relu(conv2d(x, w, b, opts(1, 1)))); };

  calls.reset();
  Tensor gx = autograd::grad({loss()}, {x})[0];
  EXPECT_EQ(calls.forward.load(), 1);
  EXPECT_EQ(calls.input_grad.load(), 1);
  EXPECT_EQ(calls.weight_grad.load(), 0) << "input-only backward ran the weight-gradient kernel";
  EXPECT_FALSE(w.grad().defined());

  calls.reset();
  Tensor gw = autograd::grad({loss()}, {w})[0];
  EXPECT_EQ(calls.input_grad.load(), 0) << "weight-only backward ran the input-gradient kernel";
  EXPECT_EQ(calls.weight_grad.load(), 1);

  calls.reset();
  loss().backward();
  EXPECT_EQ(calls.input_grad.load(), 1);
  EXPECT_EQ(calls.weight_grad.load(), 1);
  EXPECT_TRUE(testing::all_close(x.grad(), gx));
  EXPECT_TRUE(testing::all_close(w.grad(), gw));

  // A data batch that does not require grad: backward() computes no dL/dx.
  Tensor data = x.detach();
  calls.reset();
  sum(conv2d(data, w, b, opts(1, 1))).backward();
  EXPECT_EQ(calls.input_grad.load(), 0);
  EXPECT_EQ(calls.weight_grad.load(), 1);
}

// An empty batch is a valid input: empty output, zero weight gradient.
TEST(ConvOps, EmptyBatch) {
  Tensor x = zeros({0, 3, 5, 5}).requires_grad_(true);
  Tensor w = random_tensor({4, 3, 3, 3}, 33, DType::Float32).requires_grad_(true);
  Tensor y = conv2d(x, w, {}, opts(1, 1));
  EXPECT_EQ(y.shape(), (Shape{0, 4, 5, 5}));
  sum(y).backward();
  EXPECT_EQ(w.grad().to_double_vector(), std::vector<double>(108, 0.0));
  EXPECT_EQ(max_pool2d(x, {}).shape(), (Shape{0, 3, 2, 2}));
}

// Known values: a 2x2 box filter over 1..9 (checks the op's wiring, not just fast == reference).
TEST(ConvOps, KnownValues) {
  Tensor x = arange(1.0, 10.0, 1.0, {.dtype = DType::Float64}).reshape({1, 1, 3, 3}).requires_grad_(true);
  Tensor w = ones({1, 1, 2, 2}, {.dtype = DType::Float64});
  Tensor b = full({1}, 0.5, {.dtype = DType::Float64});
  Tensor y = conv2d(x, w, b);
  EXPECT_EQ(y.to_double_vector(), (std::vector<double>{12.5, 16.5, 24.5, 28.5}));
  EXPECT_EQ(autograd::grad({sum(y)}, {x})[0].to_double_vector(), (std::vector<double>{1, 2, 1, 2, 4, 2, 1, 2, 1}));
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

TEST(ConvOps, BadArguments) {
  const Tensor x = random_tensor({2, 4, 6, 6}, 40, DType::Float32);
  const Tensor w = random_tensor({6, 4, 3, 3}, 41, DType::Float32);
  expect_error([&] { conv2d(x.reshape({8, 6, 6}), w); }, {"conv2d", "4 dims", "[8, 6, 6]"});
  expect_error([&] { conv2d(x, w.reshape({6, 36})); }, {"conv2d", "weight", "[6, 36]"});
  expect_error([&] { conv2d(x, random_tensor({6, 3, 3, 3}, 42, DType::Float32)); },
               {"conv2d", "[2, 4, 6, 6]", "C=4", "[6, 3, 3, 3]", "groups=1"});
  expect_error([&] { conv2d(x, random_tensor({6, 2, 3, 3}, 43, DType::Float32), {}, opts(1, 1, 1, 3)); },
               {"conv2d", "groups=3", "input channels C=4"});
  expect_error([&] { conv2d(x, random_tensor({5, 2, 3, 3}, 44, DType::Float32), {}, opts(1, 1, 1, 2)); },
               {"conv2d", "groups=2", "output channels O=5"});
  expect_error([&] { conv2d(x, random_tensor({6, 4, 9, 3}, 45, DType::Float32), {}, opts(1, 1)); },
               {"conv2d", "kernel 9x3", "larger than the padded input 8x8"});
  expect_error([&] { conv2d(x, w, {}, opts(1, 0, 4)); }, {"conv2d", "9x9 with dilation", "padded input 6x6"});
  expect_error([&] { conv2d(x, w, {}, opts(0, 1)); }, {"conv2d", "stride must be positive", "(0, 0)"});
  expect_error([&] { conv2d(x, w, {}, opts(1, 1, 0)); }, {"conv2d", "dilation must be positive"});
  expect_error([&] { conv2d(x, w, {}, opts(1, -1)); }, {"conv2d", "padding must be non-negative"});
  expect_error([&] { conv2d(x, w, {}, opts(1, 1, 1, 0)); }, {"conv2d", "groups must be positive"});
  expect_error([&] { conv2d(x, w.to(DType::Float64)); }, {"conv2d", "dtype mismatch", "float32", "float64"});
  expect_error([&] { conv2d(x, w, zeros({5})); }, {"conv2d", "bias of shape [6]", "[5]"});
  expect_error([&] { conv2d(x, w, zeros({6}, {.dtype = DType::Float64})); }, {"conv2d", "bias", "float64"});
  expect_error([&] { conv2d(x.to(DType::Int64), w.to(DType::Int64)); }, {"conv2d", "floating-point"});
  expect_error([&] { conv2d(Tensor(), w); }, {"conv2d", "undefined"});
  expect_error([&] { detail::conv2d_input_grad(zeros({2, 6, 5, 5}), w, x.shape(), opts(1, 1)); },
               {"conv2d_input_grad", "grad_output of shape [2, 6, 6, 6]", "[2, 6, 5, 5]"});
}

}  // namespace
}  // namespace advgrad
