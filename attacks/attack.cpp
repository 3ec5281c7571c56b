#include "advgrad/attacks/attack.h"

#include <cmath>
#include <limits>

#include "advgrad/core/autograd/engine.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad::attacks {
namespace {

// [N, 1, 1, ...] so a per-example value broadcasts over the example.
Tensor per_example(const Tensor& v, const Tensor& like) {
  Shape s(static_cast<std::size_t>(like.dim()), 1);
  s[0] = like.size(0);
  return v.reshape(s);
}

Dims non_batch_dims(const Tensor& t) {
  Dims d;
  for (std::int64_t i = 1; i < t.dim(); ++i) d.push_back(i);
  return d;
}

// The objective an attack step ascends, per example.
Tensor objective(const Tensor& logits, const Tensor& y, const Tensor& targets, const AttackOptions& o) {
  if (!o.targeted) return attack_loss(logits, y, o.loss);
  // Toward the target: the loss of the target class goes down.
  Tensor toward = neg(attack_loss(logits, targets, o.loss));
  if (o.objective == TargetedObjective::MinimiseTarget) return toward;
  return add(attack_loss(logits, y, o.loss), toward);  // loss(y) - loss(target)
}

Tensor success_of(const Tensor& pred, const Tensor& y, const Tensor& targets, bool targeted) {
  return (targeted ? eq(pred, targets) : ne(pred, y)).to(DType::Float32);
}

// The options of the fused iteration attack_step_ (core/ops/ops.h): the same
// normalise -> step -> project -> clip as normalize_gradient and project below.
AttackStepOptions step_options(const AttackOptions& o) {
  return {.normalizer = o.normalizer, .norm = o.norm, .step_size = o.step_size, .eps = o.eps, .lo = o.lo, .hi = o.hi};
}

}  // namespace

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

AttackResult pgd(nn::Module& model, const Tensor& x_in, const Tensor& y, const AttackOptions& o, Generator& gen) {
  validate(o, "attack");
  ADVGRAD_CHECK(x_in.defined() && x_in.dim() >= 2, "attack: expected a batch of inputs [N, ...], got ",
                x_in.defined() ? shape_str(x_in.shape()) : "undefined");
  ADVGRAD_CHECK(y.defined() && y.dtype() == DType::Int64 && y.dim() == 1 && y.size(0) == x_in.size(0),
                "attack: labels must be int64 of shape [", x_in.size(0), "], got ",
                y.defined() ? dtype_name(y.dtype()) : "undefined", " ", y.defined() ? shape_str(y.shape()) : "");
  ADVGRAD_CHECK(y.device() == x_in.device(), "attack: the labels are on ", y.device().str(), " but the inputs are on ",
                x_in.device().str(), "; move them with .to(device)");
  EvalModeGuard eval_mode(model);
  const Tensor x = x_in.detach().contiguous();
  {
    NoGradGuard no_grad;
    ADVGRAD_CHECK(amin(x).item() >= o.lo && amax(x).item() <= o.hi, "attack: inputs must lie in [", o.lo, ", ", o.hi,
                  "] (pixel space; normalisation belongs inside the model), got [", amin(x).item(), ", ",
                  amax(x).item(), "]");
  }
  const std::int64_t n = x.size(0);
  std::int64_t classes;
  {
    NoGradGuard no_grad;
    Tensor logits = model(x.slice(0, 0, 1));
    ADVGRAD_CHECK(logits.dim() == 2, "attack: the model must return logits [N, classes], got ", shape_str(logits.shape()));
    classes = logits.size(1);
  }
  AttackResult best;
  best.targets = o.targeted ? choose_targets(model, x, y, o, gen, classes) : Tensor();
  best.eligible = o.targeted ? ne(best.targets, y).to(DType::Float32) : ones({n}, TensorOptions{DType::Float32, x.device()});
  const Tensor& targets = best.targets;

  const AttackStepOptions fused_step = step_options(o);
  for (int restart = 0; restart < o.restarts; ++restart) {
    Tensor adv;  // the iterate: storage of its own, updated in place by attack_step_
    if (o.random_start && o.eps > 0) {
      NoGradGuard no_grad;
      Tensor delta;
      if (o.norm == Norm::Linf) {
        delta = uniform(x.shape(), -o.eps, o.eps, gen, x.options());
      } else {
        Tensor dir = normalize_gradient(randn(x.shape(), gen, x.options()), Normalizer::L2);
        delta = mul(dir, per_example(rand({n}, gen, x.options()) * o.eps, x));
      }
      adv = project(add(x, delta), x, o.eps, o.norm, o.lo, o.hi);
    } else {
      adv = x.clone();
    }
    Tensor velocity;  // MI-FGSM accumulator
    Tensor active = ones({n}, x.options());
    for (int step = 0; step < o.steps; ++step) {
      Tensor xr = adv.detach().requires_grad_(true);
      Tensor logits = model(xr);
      Tensor obj = objective(logits, y, targets, o);
      // Only dL/dx: parameters are not inputs of this grad() call, so their
      // gradients (and the weight-gradient kernels) are never computed.
      Tensor g = autograd::grad({sum(obj)}, {xr})[0];
      NoGradGuard no_grad;
      if (o.early_stop) {
        Tensor done = success_of(argmax(logits.detach(), 1), y, targets, o.targeted).to(x.dtype());
        active = mul(active, 1.0 - done);
      }
      if (o.momentum > 0) {
        Tensor l1 = per_example(mean(abs(g), non_batch_dims(g)), g);
        Tensor scaled = div(g, l1 + 1e-12);
        velocity = velocity.defined() ? velocity * o.momentum + scaled : scaled;
        g = velocity;
      }
      // A frozen example gets a zero gradient, which every normaliser maps to
      // a zero step (sign(0) = 0, 0 / (0 + 1e-12) = 0): it is only re-projected.
      if (o.early_stop) g = mul(g, per_example(active, g));
      // adv = project(adv + step_size * normalize_gradient(g), x), in one pass.
      attack_step_(adv, g, x, fused_step);
    }
    // Keep, per example, the more adversarial of this restart and the best so far:
    // success first, then the larger objective.
    NoGradGuard no_grad;
    Tensor logits = model(adv);
    Tensor obj = objective(logits, y, targets, o).to(DType::Float32);
    Tensor succ = success_of(argmax(logits, 1), y, targets, o.targeted);
    if (restart == 0) {
      best.x_adv = adv.detach();
      best.loss = obj;
      best.success = succ;
      continue;
    }
    Tensor better = add(gt(succ, best.success), mul(eq(succ, best.success), gt(obj, best.loss)));
    best.x_adv = where(per_example(better.to(x.dtype()), adv), adv, best.x_adv).detach();
    best.loss = where(better, obj, best.loss);
    best.success = where(better, succ, best.success);
  }
  best.success = mul(best.success, best.eligible);
  return best;
}

AttackResult fgsm(nn::Module& model, const Tensor& x, const Tensor& y, double eps, const AttackOptions& base) {
  AttackOptions o = base;
  o.eps = eps;
  o.step_size = eps > 0 ? eps : 1e-12;
  o.steps = 1;
  o.random_start = false;
  o.restarts = 1;
  o.norm = Norm::Linf;
  o.normalizer = Normalizer::Sign;
  o.momentum = 0;
  Generator unused(0);
  return pgd(model, x, y, o, unused);
}

}  // namespace advgrad::attacks
