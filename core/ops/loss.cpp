// Losses: cross_entropy, nll_loss, mse_loss, kl_div.
//
// cross_entropy over logits [N, C, d1...] (classes at dim 1) and int64 labels
// [N, d1...], per position r with label y and label smoothing s:
//   lp = log_softmax(logits, 1)
//   loss_r = (1 - s) * (-lp[y]) + s * mean_c(-lp[c])
//   dloss_r/dlogits[c] = softmax[c] - (1 - s) [c == y] - s / C
// The forward runs the log-softmax kernel and a label gather; the first-order
// backward is one fused kernel (kernels/*/softmax.h); with create_graph it is
// the same formula from differentiable ops (softmax(logits) - target) * g.
#include <algorithm>

#include "advgrad/core/autograd/node.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/indexing_impl.h"
#include "advgrad/core/ops/op_utils.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/core/ops/softmax_impl.h"

namespace advgrad {

using autograd::FunctionNode;
using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

namespace {

Tensor reduce_loss(const Tensor& loss, Reduction reduction) {
  switch (reduction) {
    case Reduction::None: return loss;
    case Reduction::Sum: return sum(loss);
    case Reduction::Mean: break;
  }
  return mean(loss);
}

// [N, d1..., C] -> [N, C, d1...]
Tensor classes_to_dim1(const Tensor& t) {
  if (t.dim() <= 2) return t;
  std::vector<std::int64_t> order{0, t.dim() - 1};
  for (std::int64_t d = 1; d + 1 < t.dim(); ++d) order.push_back(d);
  return t.permute(order);
}

void check_same_shape(const Tensor& a, const Tensor& b, const char* op, const char* what_a, const char* what_b) {
  detail::check_defined(a, op, what_a);
  detail::check_defined(b, op, what_b);
  detail::check_floating(a, op);
  detail::check_floating(b, op);
  ADVGRAD_CHECK(a.shape() == b.shape(), op, ": ", what_a, " of shape ", shape_str(a.shape()), " and ", what_b,
                " of shape ", shape_str(b.shape()), " must have the same shape");
  ADVGRAD_CHECK(a.dtype() == b.dtype(), op, ": ", what_a, " is ", dtype_name(a.dtype()), " but ", what_b, " is ",
                dtype_name(b.dtype()));
  detail::check_same_device(a, b, op);
}

}  // namespace

Tensor cross_entropy(const Tensor& logits, const Tensor& labels, Reduction reduction, double label_smoothing) {
  detail::check_labels(logits, labels, "cross_entropy");
  detail::check_floating(logits, "cross_entropy");
  ADVGRAD_CHECK(label_smoothing >= 0.0 && label_smoothing <= 1.0,
                "cross_entropy: label_smoothing must be in [0, 1], got ", label_smoothing);
  const double s = label_smoothing;
  const std::int64_t classes = logits.shape()[1];
  const std::int64_t rows = logits.numel() / std::max<std::int64_t>(classes, 1);
  ADVGRAD_CHECK(classes > 0, "cross_entropy: input of shape ", shape_str(logits.shape()), " has no classes");
  ADVGRAD_CHECK(reduction != Reduction::Mean || rows > 0, "cross_entropy: cannot average over an empty batch (shape ",
                shape_str(logits.shape()), ")");
  Tensor lp = detail::softmax_kernel(logits, 1, true);
  Tensor out;
  {
    NoGradGuard no_grad;
    Tensor nll = neg(detail::gather_labels(lp, labels, "cross_entropy"));
    Tensor per_row = s == 0.0 ? nll : nll * (1.0 - s) - sum(lp, {1}) * (s / static_cast<double>(classes));
    out = reduce_loss(per_row, reduction);
  }
  if (autograd::any_requires_grad({&logits})) {
    auto node = autograd::record(
        "CrossEntropyBackward", {logits}, {&out},
        [s, reduction, rows, classes](FunctionNode& self, Grads& g, const Needs&) {
          Tensor x = self.saved(0), lp = self.saved(1), labels = self.saved(2);
          const Tensor& gy = g[0];
          // dL/dloss_r: g itself (None), or g (Sum) or g / rows (Mean) broadcast to every row.
          const double scale = reduction == Reduction::Mean ? 1.0 / static_cast<double>(rows) : 1.0;
          Tensor g_rows = reduction == Reduction::None ? gy.unsqueeze(1) : gy;
          if (autograd::any_requires_grad({&gy, &x})) {  // create_graph: differentiable composite
            Tensor target = classes_to_dim1(one_hot(labels, classes, x.dtype())) * (1.0 - s) +
                            s / static_cast<double>(classes);
            return Grads{mul(sub(softmax(x, 1), target), g_rows * scale)};
          }
          Tensor gx = Tensor::empty(x.shape(), x.options());
          Tensor labels_rows = labels.unsqueeze(1);
          detail::backend_of(x).cross_entropy_backward(
              x.dtype(), detail::make_row_loop(x.shape(), 1, {&gx, &lp, &g_rows, &labels_rows}, "cross_entropy"),
              {s, scale}, gx.raw_data(), lp.raw_data(), g_rows.raw_data(), labels_rows.device_data<std::int64_t>());
          return Grads{gx};
        });
    node->save(logits, false);
    node->save(lp, false);
    node->save(labels, false);
  }
  return out;
}

Tensor nll_loss(const Tensor& log_probs, const Tensor& labels, Reduction reduction) {
  detail::check_labels(log_probs, labels, "nll_loss");
  detail::check_floating(log_probs, "nll_loss");
  return reduce_loss(neg(detail::gather_labels(log_probs, labels, "nll_loss")), reduction);
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_shape(input, target, "mse_loss", "input", "target");
  return reduce_loss(square(sub(input, target)), reduction);
}

// Pointwise, with t = target:
//   log_target = false: t * (log t - input), taken as 0 where t = 0 (t log t -> 0);
//                       the log reads max-safe values so no NaN reaches the gradient
//   log_target = true:  exp(t) * (t - input)
// d/dinput = -t (or -exp(t)).
Tensor kl_div(const Tensor& log_input, const Tensor& target, KlReduction reduction, bool log_target) {
  check_same_shape(log_input, target, "kl_div", "input", "target");
  Tensor pointwise;
  if (log_target) {
    pointwise = mul(exp(target), sub(target, log_input));
  } else {
    Tensor positive = gt(target, zeros({}, target.options()));
    Tensor safe = where(positive, target, ones({}, target.options()));
    pointwise = mul(target, sub(log(safe), log_input));
  }
  switch (reduction) {
    case KlReduction::None: return pointwise;
    case KlReduction::Sum: return sum(pointwise);
    case KlReduction::Mean: return mean(pointwise);
    case KlReduction::BatchMean: break;
  }
  if (log_input.dim() == 0) return sum(pointwise);
  ADVGRAD_CHECK(log_input.shape()[0] > 0, "kl_div: batchmean over an empty batch (shape ",
                shape_str(log_input.shape()), ")");
  return sum(pointwise) / static_cast<double>(log_input.shape()[0]);
}

}  // namespace advgrad
