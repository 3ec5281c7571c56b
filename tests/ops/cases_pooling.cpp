// Pooling: max and average windows (overlapping, padded, non-square, ceil
// mode, count_include_pad off), adaptive (shrinking and growing) and global
// average pooling, and the backward passes as differentiable ops of the
// incoming gradient (max pooling's scatter by the indices is differentiable in
// gy: its derivative gathers by the same indices). Random inputs have no ties
// except in the "ties" case, where values from {0, 0.5, 1} make most windows
// hold several maxima: the fast, reference and CUDA kernels must pick the same
// first one (no finite differences there: the max is not differentiable at a tie).
#include "ops/op_registry.h"

namespace advgrad::testing {
namespace {

using V = std::vector<Tensor>;

Pool2dOptions window(std::int64_t k, std::int64_t stride = 0, std::int64_t pad = 0, bool ceil_mode = false,
                     bool include_pad = true) {
  return {k, k, stride, stride, pad, pad, ceil_mode, include_pad};
}

// d/dx of sum(pool(x) * gy) as a function of (x, gy): the backward pass itself.
// It does not depend on x for average pooling, and only through the argmax
// for max pooling, so its gradient with respect to x is zero (undefined).
template <typename Pool>
TensorFn backward_of(Pool pool) {
  return [pool](const V& x) {
    Tensor y = pool(x[0]);
    return autograd::grad({sum(mul(y, x[1]))}, {x[0]}, {}, {.create_graph = true})[0];
  };
}

}  // namespace

std::vector<OpSpec> pooling_cases() {
  OpCaseList c("pooling");
  // ---- max
  c.add("max_pool2d_2x2", [](const V& x) { return max_pool2d(x[0], window(2)); }, {input({2, 3, 7, 6})});
  c.add("max_pool2d_3x3_s2_p1", [](const V& x) { return max_pool2d(x[0], window(3, 2, 1)); }, {input({2, 3, 7, 8})});
  const Pool2dOptions o{
      .kernel_h = 3, .kernel_w = 2, .stride_h = 2, .stride_w = 1, .pad_h = 1, .pad_w = 1, .ceil_mode = true};
  c.add("max_pool2d_3x2_s2_1_p1_ceil", [o](const V& x) { return max_pool2d(x[0], o); }, {input({1, 2, 8, 5})});
  c.add("max_pool2d_ties_3x3_s2_p1", [](const V& x) { return max_pool2d(x[0], window(3, 2, 1)); },
        {input({2, 2, 7, 8}, 0.0, 1.5).rounded_to(0.5)})
      .without_finite_differences();
  c.add("max_pool2d_backward", backward_of([](const Tensor& x) { return max_pool2d(x, window(3, 2, 1)); }),
        {input({2, 2, 7, 6}), input({2, 2, 4, 3})});

  // ---- average
  c.add("avg_pool2d_2x2", [](const V& x) { return avg_pool2d(x[0], window(2)); }, {input({2, 3, 7, 6})});
  c.add("avg_pool2d_3x3_s2_p1", [](const V& x) { return avg_pool2d(x[0], window(3, 2, 1)); }, {input({2, 3, 7, 8})});
  c.add("avg_pool2d_3x3_s2_p1_ceil_exclude_pad",
        [](const V& x) { return avg_pool2d(x[0], window(3, 2, 1, true, false)); }, {input({2, 2, 8, 7})});
  const Pool2dOptions wide{.kernel_h = 2, .kernel_w = 3, .stride_h = 1, .stride_w = 2, .pad_h = 1, .pad_w = 1};
  c.add("avg_pool2d_2x3_s1_2_p1", [wide](const V& x) { return avg_pool2d(x[0], wide); }, {input({1, 3, 5, 8})});
  c.add("avg_pool2d_backward", backward_of([](const Tensor& x) { return avg_pool2d(x, window(3, 2, 1, true, true)); }),
        {input({1, 2, 8, 7}), input({1, 2, 5, 4})});

  // ---- adaptive and global
  c.add("adaptive_avg_pool2d_7x5_to_3x2", [](const V& x) { return adaptive_avg_pool2d(x[0], 3, 2); },
        {input({2, 3, 7, 5})});
  c.add("adaptive_avg_pool2d_3x3_to_5x4", [](const V& x) { return adaptive_avg_pool2d(x[0], 5, 4); },
        {input({1, 2, 3, 3})});
  c.add("global_avg_pool2d", [](const V& x) { return global_avg_pool2d(x[0]); }, {input({2, 3, 5, 4})});
  return c.take();
}

}  // namespace advgrad::testing
