#include "advgrad/attacks/attack.h"

#include <cmath>
#include <algorithm>
#include <limits>
#include <numeric>

#include "advgrad/attacks/per_example.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad::attacks {
double AttackResult::success_rate() const {
  const double n = sum(eligible).item();
  return n > 0 ? sum(mul(success, eligible)).item() / n : 0.0;
}

void validate(const AttackOptions& o, const char* who) {
  ADVGRAD_CHECK(std::isfinite(o.eps) && o.eps >= 0, who, ": eps must be >= 0, got ", o.eps);
  ADVGRAD_CHECK(std::isfinite(o.step_size) && o.step_size > 0, who, ": step size must be > 0, got ", o.step_size);
  ADVGRAD_CHECK(o.steps >= 1, who, ": steps must be >= 1, got ", o.steps);
  ADVGRAD_CHECK(o.restarts >= 1, who, ": restarts must be >= 1, got ", o.restarts);
  ADVGRAD_CHECK(o.lo < o.hi, who, ": the valid range needs lo < hi, got [", o.lo, ", ", o.hi, "]");
  ADVGRAD_CHECK(o.momentum >= 0, who, ": momentum must be >= 0, got ", o.momentum);
  ADVGRAD_CHECK(!o.targeted || o.target_mode != TargetMode::Fixed || o.target_class >= 0, who,
                ": target class must be >= 0, got ", o.target_class);
}

void check_attack_inputs(const Tensor& x, const Tensor& y, const AttackOptions& o, const char* who) {
  validate(o, who);
  ADVGRAD_CHECK(x.defined() && x.dim() >= 2, who, ": expected a batch of inputs [N, ...], got ",
                x.defined() ? shape_str(x.shape()) : "undefined");
  ADVGRAD_CHECK(y.defined() && y.dtype() == DType::Int64 && y.dim() == 1 && y.size(0) == x.size(0), who,
                ": labels must be int64 of shape [", x.size(0), "], got ", y.defined() ? dtype_name(y.dtype()) : "undefined",
                " ", y.defined() ? shape_str(y.shape()) : "");
  ADVGRAD_CHECK(y.device() == x.device(), who, ": the labels are on ", y.device().str(), " but the inputs are on ",
                x.device().str(), "; move them with .to(device)");
  NoGradGuard no_grad;
  ADVGRAD_CHECK(amin(x).item() >= o.lo && amax(x).item() <= o.hi, who, ": inputs must lie in [", o.lo, ", ", o.hi,
                "] (pixel space; normalisation belongs inside the model), got [", amin(x).item(), ", ", amax(x).item(),
                "]");
}

Tensor random_start(const Tensor& x, const AttackOptions& o, Generator& gen) {
  if (!o.random_start || o.eps <= 0) return x.clone();
  NoGradGuard no_grad;
  Tensor delta;
  if (o.norm == Norm::Linf) {
    delta = uniform(x.shape(), -o.eps, o.eps, gen, x.options());
  } else {
    Tensor dir = normalize_gradient(randn(x.shape(), gen, x.options()), Normalizer::L2);
    delta = mul(dir, per_example(rand({x.size(0)}, gen, x.options()) * o.eps, x));
  }
  return project(add(x, delta), x, o.eps, o.norm, o.lo, o.hi);
}

Tensor ranked_classes(const Tensor& logits, std::int64_t rank) {
  ADVGRAD_CHECK(logits.dim() == 2 && rank >= 0 && rank < logits.size(1), "ranked_classes: rank ", rank,
                " of logits ", shape_str(logits.shape()));
  const std::int64_t n = logits.size(0), c = logits.size(1);
  const std::vector<double> z = logits.detach().to_double_vector();
  std::vector<std::int64_t> out(static_cast<std::size_t>(n)), order(static_cast<std::size_t>(c));
  for (std::int64_t i = 0; i < n; ++i) {
    const double* row = z.data() + i * c;
    std::iota(order.begin(), order.end(), 0);
    std::nth_element(order.begin(), order.begin() + rank, order.end(), [row](std::int64_t a, std::int64_t b) {
      return row[a] > row[b] || (row[a] == row[b] && a < b);
    });
    out[static_cast<std::size_t>(i)] = order[static_cast<std::size_t>(rank)];
  }
  return from_vector(out, {n}).to(logits.device());
}

Tensor logit_of(const Tensor& logits, const Tensor& classes) { return gather(logits, 1, classes.unsqueeze(1)).squeeze(1); }

Tensor targeted_dlr_loss(const Tensor& logits, const Tensor& y, const Tensor& targets) {
  ADVGRAD_CHECK(logits.dim() == 2 && logits.size(1) >= 4, "targeted_dlr_loss: needs logits [N, C] with C >= 4, got ",
                shape_str(logits.shape()));
  const Tensor top = logit_of(logits, ranked_classes(logits, 0));
  const Tensor third_fourth = add(logit_of(logits, ranked_classes(logits, 2)), logit_of(logits, ranked_classes(logits, 3)));
  const Tensor scale = top - third_fourth * 0.5 + 1e-12;
  return neg(div(sub(logit_of(logits, y), logit_of(logits, targets)), scale));
}

Tensor attack_loss(const Tensor& logits, const Tensor& y, AttackLoss loss) {
  if (loss == AttackLoss::CrossEntropy) return cross_entropy(logits, y, Reduction::None);
  if (loss == AttackLoss::Dlr) {
    ADVGRAD_CHECK(logits.dim() == 2 && logits.size(1) >= 3, "attack_loss: DLR needs logits [N, C] with C >= 3, got ",
                  shape_str(logits.shape()));
    // The best wrong class: the top class, or the second when the top one is y.
    const Tensor first = ranked_classes(logits, 0);
    std::vector<std::int64_t> wrong = first.to_int_vector(), second = ranked_classes(logits, 1).to_int_vector();
    const std::vector<std::int64_t> labels = y.to_int_vector();
    for (std::size_t i = 0; i < wrong.size(); ++i)
      if (wrong[i] == labels[i]) wrong[i] = second[i];
    const Tensor best_wrong = from_vector(wrong, {logits.size(0)}).to(logits.device());
    const Tensor scale = logit_of(logits, first) - logit_of(logits, ranked_classes(logits, 2)) + 1e-12;
    return neg(div(sub(logit_of(logits, y), logit_of(logits, best_wrong)), scale));
  }
  // Margin: the best wrong logit minus the true one (positive = misclassified).
  Tensor true_logit = gather(logits, 1, y.unsqueeze(1)).squeeze(1);
  Tensor mask = one_hot(y, logits.size(1), logits.dtype());
  Tensor others = where(mask, full({}, -std::numeric_limits<double>::infinity(), logits.options()), logits);
  return sub(amax(others, {1}), true_logit);
}

Tensor choose_targets(nn::Module& model, const Tensor& x, const Tensor& y, const AttackOptions& o, Generator& gen,
                      std::int64_t classes) {
  const std::int64_t n = y.numel();
  switch (o.target_mode) {
    case TargetMode::Fixed:
      ADVGRAD_CHECK(o.target_class < classes, "targeted attack: target class ", o.target_class,
                    " is out of range for a model with ", classes, " classes");
      return full({n}, static_cast<double>(o.target_class), TensorOptions{DType::Int64, y.device()});
    case TargetMode::Random: {  // a uniformly random class other than the true one
      auto t = y.to_int_vector();
      for (auto& v : t) v = (v + gen.next_int(1, classes)) % classes;
      return from_vector(t, {n}).to(y.device());
    }
    case TargetMode::LeastLikely: {
      Tensor least;
      {
        NoGradGuard no_grad;
        least = argmin(model(x), 1);
      }
      auto t = least.to_int_vector(), yy = y.to_int_vector();
      for (std::int64_t i = 0; i < n; ++i)
        if (t[i] == yy[i]) t[i] = (yy[i] + 1) % classes;
      return from_vector(t, {n}).to(y.device());
    }
  }
  return {};
}

Tensor normalize_gradient(const Tensor& g, Normalizer normalizer) {
  const double tiny = 1e-12;
  switch (normalizer) {
    case Normalizer::Sign: return sign(g);
    case Normalizer::Max: return div(g, amax(abs(g), non_batch_dims(g), true) + tiny);
    case Normalizer::L2: return div(g, per_example(norm_per_sample(g, 2), g) + tiny);
  }
  return g;
}

Tensor project(const Tensor& x_adv, const Tensor& x, double eps, Norm norm, double lo, double hi) {
  Tensor out;
  if (norm == Norm::Linf) {
    out = clamp(x_adv, x - eps, x + eps);
  } else {
    // Scale delta back onto the ball when ||delta||_2 > eps.
    Tensor delta = sub(x_adv, x);
    Tensor n = per_example(norm_per_sample(delta, 2), delta);
    Tensor factor = minimum(ones_like(n), div(full_like(n, eps), n + 1e-12));
    out = add(x, mul(delta, factor));
  }
  // Clipping to the valid range moves every coordinate toward x (which is in
  // range), so it never leaves the ball.
  return clamp(out, lo, hi);
}

}  // namespace advgrad::attacks
