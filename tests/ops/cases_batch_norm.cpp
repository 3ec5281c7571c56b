// batch_norm in training mode (batch statistics, and the running-statistics
// update on the side) and in eval mode (running statistics, or the batch's
// when there are none), with and without the affine weight and bias, with
// only the input differentiable (what an attack asks for), and channels with
// more values than a CUDA block (M = N * H * W > 256: several per thread, and
// M = 300 with S = 1).
#include "ops/op_registry.h"
#include "ops/tensor_inputs.h"

namespace advgrad::testing {
namespace {

using V = std::vector<Tensor>;

// Fresh running statistics in x's dtype and on x's device (every run of the
// case makes its own, so no run sees another's update).
Tensor bn_train(const Tensor& x, const Tensor& w, const Tensor& b) {
  Tensor rm = zeros({x.shape()[1]}, x.options()), rv = ones({x.shape()[1]}, x.options());
  return batch_norm(x, w, b, rm, rv, true, 0.1, 1e-5);
}
Tensor bn_eval(const Tensor& x, const Tensor& w, const Tensor& b) {
  const std::int64_t c = x.shape()[1];
  Tensor rm = random_tensor({c}, 99, DType::Float64, -0.5, 0.5).to(x.dtype()).to(x.device());
  Tensor rv = random_tensor({c}, 98, DType::Float64, 0.5, 2.0).to(x.dtype()).to(x.device());
  return batch_norm(x, w, b, rm, rv, false, 0.1, 1e-5);
}
Tensor train_affine(const V& x) { return bn_train(x[0], x[1], x[2]); }
Tensor eval_affine(const V& x) { return bn_eval(x[0], x[1], x[2]); }

}  // namespace

std::vector<OpSpec> batch_norm_cases() {
  OpCaseList c("batch_norm");
  // Training: float32 sums over N*H*W terms, so the fast path gets a little
  // more room than the default against the reference.
  c.add("batch_norm_train_2d", train_affine, {input({6, 3}), input({3}, 0.5, 1.5), input({3})})
      .fast_tolerance(1e-3, 1e-4);
  c.add("batch_norm_train_4d", train_affine, {input({3, 2, 3, 5}), input({2}, 0.5, 1.5), input({2})})
      .fast_tolerance(1e-3, 1e-4);
  c.add("batch_norm_train_no_affine", [](const V& x) { return bn_train(x[0], Tensor(), Tensor()); },
        {input({2, 3, 2, 3})})
      .fast_tolerance(1e-3, 1e-4);
  c.add("batch_norm_train_input_only", train_affine, {input({4, 3, 2, 2}), constant({3}, 0.5, 1.5), constant({3})})
      .fast_tolerance(1e-3, 1e-4);
  // 360 values per channel (S = 90 does not divide 256); 300 values with S = 1, bias only.
  c.add("batch_norm_train_360_per_channel", train_affine, {input({4, 3, 9, 10}), input({3}, 0.5, 1.5), input({3})})
      .fast_tolerance(1e-3, 1e-4)
      .without_finite_differences();
  c.add("batch_norm_train_300_rows_bias_only", [](const V& x) { return bn_train(x[0], Tensor(), x[1]); },
        {input({300, 2}), input({2})})
      .fast_tolerance(1e-3, 1e-4)
      .without_finite_differences();

  c.add("batch_norm_eval_4d", eval_affine, {input({3, 4, 2, 3}), input({4}, 0.5, 1.5), input({4})});
  c.add("batch_norm_eval_2d_no_affine", [](const V& x) { return bn_eval(x[0], Tensor(), Tensor()); }, {input({5, 4})});
  c.add("batch_norm_eval_input_only", [](const V& x) { return bn_eval(x[0], x[1], Tensor()); },
        {input({2, 3, 3, 2}), constant({3}, 0.5, 1.5)});
  // No running statistics: eval normalises with the batch's.
  c.add("batch_norm_eval_batch_statistics",
        [](const V& x) {
          Tensor none;
          return batch_norm(x[0], x[1], x[2], none, none, false, 0.1, 1e-5);
        },
        {input({3, 2, 5}), input({2}, 0.5, 1.5), input({2})})
      .fast_tolerance(1e-3, 1e-4);
  return c.take();
}

}  // namespace advgrad::testing
