#include "advgrad/attacks/attack.h"

#include <cmath>
#include <limits>

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

Tensor attack_loss(const Tensor& logits, const Tensor& y, AttackLoss loss) {
  if (loss == AttackLoss::CrossEntropy) return cross_entropy(logits, y, Reduction::None);
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
