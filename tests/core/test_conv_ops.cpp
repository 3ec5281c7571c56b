// conv2d beyond the op registry (tests/ops/cases_conv.cpp checks its values
// and derivatives, and those of its backward ops, on every backend):
// input-only / weight-only backward skipping the kernels it does not need, an
// empty batch, known values, and argument errors.
#include <string>

#include "advgrad/core/ops/conv_internal.h"
#include "expect_error.h"
#include "testing.h"

namespace advgrad {
namespace {

using testing::expect_error;
using testing::random_tensor;

Conv2dOptions opts(std::int64_t stride, std::int64_t pad, std::int64_t dilation = 1, std::int64_t groups = 1) {
  return {stride, stride, pad, pad, dilation, dilation, groups};
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
