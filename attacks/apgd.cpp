#include "advgrad/attacks/apgd.h"

#include <cmath>
#include <functional>
#include <algorithm>
#include <limits>
#include <numeric>

#include "advgrad/attacks/per_example.h"
#include "advgrad/core/autograd/engine.h"
#include "advgrad/core/grad_mode.h"

namespace advgrad::attacks {
namespace {

constexpr double kMomentum = 0.75;  // a in the update above
constexpr double kRho = 0.75;       // the share of improving steps that keeps the step size

// The loss APGD ascends, per example, from the logits.
using ApgdObjective = std::function<Tensor(const Tensor& logits)>;

// The loss, its input gradient and whether the example is misclassified, at x.
struct Evaluation {
  Tensor loss, grad, wrong;  // [N] float, [N, ...], [N] bool-as-float
};

Evaluation evaluate(nn::Module& model, const Tensor& x, const Tensor& y, const ApgdObjective& f) {
  EnableGradGuard grad_on;  // the loop's bookkeeping (and perhaps the caller) runs without a graph
  Tensor xr = x.detach().requires_grad_(true);
  Tensor logits = model(xr);
  Tensor loss = f(logits);
  Tensor g = autograd::grad({sum(loss)}, {xr})[0];  // dL/dx only: no parameter gradients
  NoGradGuard no_grad;
  return {loss.detach(), g, ne(argmax(logits.detach(), 1), y).to(x.dtype())};
}

// where(mask [N], a, b) for batches [N, ...].
Tensor pick(const Tensor& mask, const Tensor& a, const Tensor& b) {
  return where(per_example(mask.to(a.dtype()), a), a, b);
}

// One APGD run from a start point; returns the kept point per example
// (the first misclassified iterate, else the highest-loss one), its loss and
// whether it is misclassified.
struct Run {
  Tensor x_adv, loss, wrong;
};

Run run_apgd(nn::Module& model, const Tensor& x, const Tensor& y, const AttackOptions& o, const ApgdObjective& f,
             Generator& gen) {
  const Normalizer normalizer = o.norm == Norm::Linf ? Normalizer::Sign : Normalizer::L2;
  const std::vector<int> checkpoints = apgd_checkpoints(o.steps);
  Tensor x_adv = random_start(x, o, gen);
  Evaluation e = evaluate(model, x_adv, y, f);
  NoGradGuard no_grad;
  Tensor x_prev = x_adv, x_best = x_adv, grad_best = e.grad, loss_best = e.loss, loss_prev = e.loss;
  Tensor kept = x_adv, wrong = e.wrong;
  Tensor step = full({x.size(0)}, 2 * o.eps, x.options());
  Tensor step_at_check = step, loss_best_at_check = loss_best, improving = zeros({x.size(0)}, x.options());
  Tensor grad = e.grad;
  std::size_t next = 1;  // the next checkpoint
  for (int k = 0; k < o.steps; ++k) {
    const double a = k == 0 ? 1.0 : kMomentum;
    const Tensor z = project(add(x_adv, mul(normalize_gradient(grad, normalizer), per_example(step, grad))), x, o.eps,
                             o.norm, o.lo, o.hi);
    const Tensor x_next = project(x_adv + (z - x_adv) * a + (x_adv - x_prev) * (1 - a), x, o.eps, o.norm, o.lo, o.hi);
    x_prev = x_adv, x_adv = x_next;
    e = evaluate(model, x_adv, y, f);
    grad = e.grad;
    kept = pick(e.wrong * (1.0 - wrong), x_adv, kept);  // the first misclassified iterate stays
    wrong = maximum(wrong, e.wrong);
    improving = add(improving, gt(e.loss, loss_prev).to(x.dtype()));
    loss_prev = e.loss;
    const Tensor better = gt(e.loss, loss_best);
    x_best = pick(better, x_adv, x_best), grad_best = pick(better, grad, grad_best);
    loss_best = where(better, e.loss, loss_best);
    if (next < checkpoints.size() && k + 1 == checkpoints[next]) {
      const double since = checkpoints[next] - checkpoints[next - 1];
      const Tensor stalled = lt(improving, scalar_tensor(kRho * since, improving.options()));
      const Tensor flat = mul(eq(step, step_at_check).to(x.dtype()), ge(loss_best_at_check, loss_best).to(x.dtype()));
      const Tensor reduce = maximum(stalled, flat);
      step_at_check = step, loss_best_at_check = loss_best;
      step = where(reduce, step * 0.5, step);
      x_adv = pick(reduce, x_best, x_adv), x_prev = pick(reduce, x_best, x_prev);  // restart without momentum
      grad = pick(reduce, grad_best, grad);
      improving = zeros_like(improving);
      ++next;
    }
  }
  kept = pick(wrong, kept, x_best);  // not broken: the highest-loss point
  return {kept.detach(), loss_best, wrong};
}

// full's rows at `rows` (int64 indices) replaced by part's rows, in order.
Tensor merge_rows(const Tensor& full, const std::vector<std::int64_t>& rows, const Tensor& part) {
  std::vector<std::int64_t> from(static_cast<std::size_t>(full.size(0)), 0);
  std::vector<double> mask(static_cast<std::size_t>(full.size(0)), 0.0);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    from[static_cast<std::size_t>(rows[i])] = static_cast<std::int64_t>(i);
    mask[static_cast<std::size_t>(rows[i])] = 1;
  }
  const Tensor m = from_vector(mask, {full.size(0)}).to(full.dtype()).to(full.device());
  const Tensor gathered = index_select(part, 0, from_vector(from, {full.size(0)}).to(full.device()));
  return full.dim() == 1 ? where(m, gathered, full) : pick(m, gathered, full);
}

// The indices of the examples not yet broken.
std::vector<std::int64_t> unbroken(const Tensor& wrong) {
  std::vector<std::int64_t> rows;
  const std::vector<double> w = wrong.to_double_vector();
  for (std::size_t i = 0; i < w.size(); ++i)
    if (w[i] == 0) rows.push_back(static_cast<std::int64_t>(i));
  return rows;
}

// Runs `runs` APGD runs, each on the examples no earlier run broke; run r
// ascends objective(r, y_rows) on those rows. Fills result.x_adv, success, loss.
template <typename MakeObjective>
AttackResult run_on_unbroken(nn::Module& model, const Tensor& x, const Tensor& y, const AttackOptions& o, int runs,
                             Generator& gen, MakeObjective objective_for) {
  AttackResult r;
  r.x_adv = x.detach().clone();
  r.success = zeros({x.size(0)}, TensorOptions{DType::Float32, x.device()});
  r.loss = full({x.size(0)}, -std::numeric_limits<double>::infinity(), r.success.options());
  r.eligible = ones({x.size(0)}, r.success.options());
  for (int run = 0; run < runs; ++run) {
    const std::vector<std::int64_t> rows = unbroken(r.success);
    if (rows.empty()) break;
    const Tensor idx = from_vector(rows, {static_cast<std::int64_t>(rows.size())}).to(x.device());
    const Tensor xs = index_select(x, 0, idx), ys = index_select(y, 0, idx);
    const Run part = run_apgd(model, xs, ys, o, objective_for(run, idx, ys), gen);
    NoGradGuard no_grad;
    // A row takes the new point if it broke, or (still unbroken) if its loss is higher.
    const Tensor old_loss = index_select(r.loss, 0, idx);
    const Tensor take = maximum(part.wrong.to(DType::Float32), gt(part.loss.to(DType::Float32), old_loss));
    const Tensor new_x = pick(take, part.x_adv, index_select(r.x_adv, 0, idx));
    r.x_adv = merge_rows(r.x_adv, rows, new_x);
    r.loss = merge_rows(r.loss, rows, where(take, part.loss.to(DType::Float32), old_loss));
    r.success = merge_rows(r.success, rows, part.wrong.to(DType::Float32));
  }
  return r;
}

}  // namespace

std::vector<int> apgd_checkpoints(int steps) {
  ADVGRAD_CHECK(steps >= 1, "apgd_checkpoints: steps must be >= 1, got ", steps);
  std::vector<int> w{0};
  double previous = 0, p = 0.22;
  while (p < 1) {
    const int wj = static_cast<int>(std::ceil(p * steps - 1e-9));  // 1e-9: 0.22 * 100 is 22.000000000000004
    if (wj > w.back() && wj < steps) w.push_back(wj);
    const double next = p + std::max(p - previous - 0.03, 0.06);
    previous = p, p = next;
  }
  return w;
}

AttackResult apgd(nn::Module& model, const Tensor& x_in, const Tensor& y, const AttackOptions& o, Generator& gen) {
  check_attack_inputs(x_in, y, o, "apgd");
  ADVGRAD_CHECK(!o.targeted, "apgd: the targeted form is apgd_targeted (APGD-T)");
  EvalModeGuard eval_mode(model);
  const Tensor x = x_in.detach().contiguous();
  return run_on_unbroken(model, x, y, o, o.restarts, gen, [&](int, const Tensor&, const Tensor& ys) {
    return ApgdObjective([ys, loss = o.loss](const Tensor& logits) { return attack_loss(logits, ys, loss); });
  });
}

AttackResult apgd_targeted(nn::Module& model, const Tensor& x_in, const Tensor& y, const AttackOptions& o,
                           Generator& gen, int target_classes) {
  check_attack_inputs(x_in, y, o, "apgd_targeted");
  EvalModeGuard eval_mode(model);
  const Tensor x = x_in.detach().contiguous();
  Tensor clean_logits;
  {
    NoGradGuard no_grad;
    clean_logits = model(x);
  }
  ADVGRAD_CHECK(clean_logits.dim() == 2 && clean_logits.size(1) >= 4,
                "apgd_targeted: the targeted DLR loss needs >= 4 classes, the model gives ",
                shape_str(clean_logits.shape()));
  ADVGRAD_CHECK(target_classes >= 1 && target_classes < clean_logits.size(1), "apgd_targeted: target_classes must be in [1, ",
                clean_logits.size(1) - 1, "], got ", target_classes);
  // The k-th most likely wrong class of each example's clean logits (k = 1 .. target_classes).
  std::vector<Tensor> targets(static_cast<std::size_t>(target_classes));
  {
    const std::int64_t n = x.size(0), c = clean_logits.size(1);
    const std::vector<double> z = clean_logits.to_double_vector();
    const std::vector<std::int64_t> labels = y.to_int_vector();
    std::vector<std::vector<std::int64_t>> by_rank(targets.size(), std::vector<std::int64_t>(static_cast<std::size_t>(n)));
    std::vector<std::int64_t> order(static_cast<std::size_t>(c));
    for (std::int64_t i = 0; i < n; ++i) {
      const double* row = z.data() + i * c;
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [row](std::int64_t a, std::int64_t b) { return row[a] > row[b]; });
      std::erase(order, labels[static_cast<std::size_t>(i)]);
      for (std::size_t k = 0; k < targets.size(); ++k) by_rank[k][static_cast<std::size_t>(i)] = order[k];
      order.resize(static_cast<std::size_t>(c));
    }
    for (std::size_t k = 0; k < targets.size(); ++k) targets[k] = from_vector(by_rank[k], {n}).to(x.device());
  }
  AttackOptions one = o;
  one.restarts = 1;
  AttackResult r = run_on_unbroken(model, x, y, one, target_classes, gen, [&](int run, const Tensor& idx, const Tensor& ys) {
    const Tensor t = index_select(targets[static_cast<std::size_t>(run)], 0, idx);
    return ApgdObjective([ys, t](const Tensor& logits) { return targeted_dlr_loss(logits, ys, t); });
  });
  return r;
}

}  // namespace advgrad::attacks
