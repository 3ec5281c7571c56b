// softmax and log_softmax along every kind of dim (the last, the first, a
// middle one with strided rows), rows shorter and longer than a CUDA warp
// (37 = 32 + 5: two lane strides; 70) and the CPU's tiled path for dim 1 of
// [N, C, L] with L > 64 (a partial last tile); then the losses:
// cross_entropy (every reduction, label smoothing, classes at dim 1 of
// [N, C, d], more classes than a warp, labels at both ends), nll_loss,
// mse_loss and kl_div (plain and log targets).
#include <string>
#include <utility>

#include "ops/op_registry.h"

namespace advgrad::testing {
using V = std::vector<Tensor>;

std::vector<OpSpec> softmax_loss_cases() {
  OpCaseList c("softmax_loss");
  // ---- softmax, log_softmax (logits in [-2, 2])
  for (bool log : {false, true}) {
    const std::string op = log ? "log_softmax" : "softmax";
    auto along = [log](std::int64_t dim) -> TensorFn {
      return [log, dim](const V& x) { return log ? log_softmax(x[0], dim) : softmax(x[0], dim); };
    };
    c.add(op + "_last_7", along(-1), {input({4, 7}, -2, 2)});
    c.add(op + "_last_37", along(-1), {input({3, 37}, -2, 2)});
    c.add(op + "_last_70", along(1), {input({2, 70}, -2, 2)}).without_device_gradcheck();
    c.add(op + "_dim0", along(0), {input({5, 3}, -2, 2)});  // rows of 5 at stride 3
    c.add(op + "_middle_dim", along(1), {input({2, 3, 4}, -2, 2)});
    // 402 elements: the device gradcheck would take seconds of emulated launches;
    // the device's gradients are still compared with the reference's.
    c.add(op + "_channels_67", along(1), {input({2, 3, 67}, -2, 2)}).without_device_gradcheck();
    c.add(op + "_1d", along(0), {input({6}, -2, 2)});
  }
  // Rows read through a transposed view (on top of the harness's own views).
  c.add("softmax_of_transpose", [](const V& x) { return softmax(x[0].t(), 1); }, {input({37, 4}, -2, 2)});
  // A sum over the row: the backward's incoming gradient is broadcast along the row (stride 0).
  c.add("log_softmax_row_sum", [](const V& x) { return sum(log_softmax(x[0], 1), {1}); }, {input({4, 35}, -2, 2)});
  c.add("softmax_times_input", [](const V& x) { return mul(softmax(x[0], 0), x[0]); }, {input({7, 3}, -2, 2)});

  // ---- cross_entropy
  const std::pair<Reduction, const char*> reductions[] = {
      {Reduction::Mean, "mean"}, {Reduction::Sum, "sum"}, {Reduction::None, "none"}};
  for (auto [r, r_name] : reductions) {
    for (double s : {0.0, 0.2}) {
      c.add(std::string("cross_entropy_") + r_name + (s > 0 ? "_smoothing" : ""),
            [r, s](const V& x) { return cross_entropy(x[0], x[1], r, s); },
            {input({5, 7}, -2, 2), indices({2, 0, 6, 3, 3}, {5})});
    }
  }
  // A larger batch with logits in [-5, 5]: the fused backward's rows over several threads.
  std::vector<std::int64_t> labels33;
  for (std::int64_t i = 0; i < 33; ++i) labels33.push_back((7 * i + 3) % 10);
  c.add("cross_entropy_mean_33_rows", [](const V& x) { return cross_entropy(x[0], x[1]); },
        {input({33, 10}, -5, 5), indices(labels33, {33})});
  // 40 classes (longer than a warp), labels at both ends.
  c.add("cross_entropy_40_classes", [](const V& x) { return cross_entropy(x[0], x[1], Reduction::Mean, 0.1); },
        {input({3, 40}, -2, 2), indices({39, 0, 17}, {3})})
      .without_device_gradcheck();
  // [N, C, d]: classes at dim 1 (strided rows), labels [N, d].
  const std::vector<std::int64_t> labels_nd{0, 3, 1, 2, 2, 1, 0, 3, 3, 0};
  c.add("cross_entropy_nd_mean_smoothing", [](const V& x) { return cross_entropy(x[0], x[1], Reduction::Mean, 0.1); },
        {input({2, 4, 5}, -2, 2), indices(labels_nd, {2, 5})});
  c.add("cross_entropy_nd_sum_smoothing", [](const V& x) { return cross_entropy(x[0], x[1], Reduction::Sum, 0.3); },
        {input({2, 4, 5}, -2, 2), indices(labels_nd, {2, 5})});
  c.add("cross_entropy_nd_none", [](const V& x) { return cross_entropy(x[0], x[1], Reduction::None); },
        {input({2, 4, 5}, -2, 2), indices(labels_nd, {2, 5})});

  // ---- nll_loss, mse_loss, kl_div
  const std::vector<std::int64_t> labels{1, 0, 3, 3};
  c.add("nll_loss_of_log_softmax", [](const V& x) { return nll_loss(log_softmax(x[0], 1), x[1]); },
        {input({4, 5}, -2, 2), indices(labels, {4})});
  c.add("nll_loss_sum", [](const V& x) { return nll_loss(x[0], x[1], Reduction::Sum); },
        {input({4, 5}, -2, 2), indices(labels, {4})});
  for (auto [r, r_name] : reductions) {
    c.add(std::string("mse_loss_") + r_name, [r](const V& x) { return mse_loss(x[0], x[1], r); },
          {input({3, 4}, -2, 2), input({3, 4}, -2, 2)});
  }
  // Targets are probabilities (> 0: log(0) has no derivative), or log-probabilities.
  const std::pair<KlReduction, const char*> kl_reductions[] = {{KlReduction::BatchMean, "batchmean"},
                                                               {KlReduction::Mean, "mean"},
                                                               {KlReduction::Sum, "sum"},
                                                               {KlReduction::None, "none"}};
  for (auto [r, r_name] : kl_reductions) {
    c.add(std::string("kl_div_") + r_name, [r](const V& x) { return kl_div(x[0], x[1], r); },
          {input({3, 4}, -2, 2), input({3, 4}, 0.1, 1.0)});
    c.add(std::string("kl_div_log_target_") + r_name, [r](const V& x) { return kl_div(x[0], x[1], r, true); },
          {input({3, 4}, -2, 2), input({3, 4}, -2.0, 0.0)});
  }
  return c.take();
}

}  // namespace advgrad::testing
