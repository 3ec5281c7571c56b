#include "advgrad/training/adversarial_training.h"

#include <cmath>
#include <memory>

#include "advgrad/core/ops/ops.h"
#include "advgrad/training/option_names.h"

namespace advgrad::training {

const std::vector<std::string>& online_attack_names() {
  static const std::vector<std::string> names{"fgsm", "fgsm-rs", "pgd"};
  return names;
}

const std::vector<std::string>& adversarial_mix_names() {
  static const std::vector<std::string> names{"double-batch", "adversarial", "weighted"};
  return names;
}

void validate(const OnlineAdversarialOptions& o) {
  ADVGRAD_CHECK(is_one_of(o.attack, online_attack_names()), "adversarial training: unknown attack '", o.attack,
                "' (expected one of ", joined_names(online_attack_names()), ")");
  ADVGRAD_CHECK(is_one_of(o.mix, adversarial_mix_names()), "adversarial training: unknown mix '", o.mix,
                "' (expected one of ", joined_names(adversarial_mix_names()), ")");
  ADVGRAD_CHECK(std::isfinite(o.eps) && o.eps > 0, "adversarial training: eps must be > 0, got ", o.eps);
  ADVGRAD_CHECK(o.steps >= 1, "adversarial training: steps must be >= 1, got ", o.steps);
  ADVGRAD_CHECK(std::isfinite(o.step_size) && o.step_size >= 0,
                "adversarial training: step size must be >= 0 (0: the attack's default), got ", o.step_size);
  ADVGRAD_CHECK(o.adversarial_weight >= 0 && o.adversarial_weight <= 1,
                "adversarial training: adversarial weight must be in [0, 1], got ", o.adversarial_weight);
  ADVGRAD_CHECK(o.lo < o.hi, "adversarial training: the valid range needs lo < hi, got [", o.lo, ", ", o.hi, "]");
}

attacks::AttackOptions to_attack_options(const OnlineAdversarialOptions& o) {
  validate(o);
  attacks::AttackOptions a;
  a.eps = o.eps;
  a.norm = attacks::Norm::Linf;
  a.normalizer = attacks::Normalizer::Sign;
  a.lo = o.lo;
  a.hi = o.hi;
  if (o.attack == "fgsm") {
    a.steps = 1;
    a.random_start = false;
    a.step_size = o.step_size > 0 ? o.step_size : o.eps;
  } else if (o.attack == "fgsm-rs") {
    // Wong et al. 2020: delta ~ U(-eps, eps), one step of alpha = 1.25 eps,
    // projected back onto the ball.
    a.steps = 1;
    a.random_start = true;
    a.step_size = o.step_size > 0 ? o.step_size : 1.25 * o.eps;
  } else {
    // Madry et al. 2018: random start, k steps of 2.5 eps / k (enough to
    // reach any point of the ball from any start).
    a.steps = o.steps;
    a.random_start = true;
    a.step_size = o.step_size > 0 ? o.step_size : 2.5 * o.eps / o.steps;
  }
  attacks::validate(a, "adversarial training");
  return a;
}

Tensor craft_adversarial(nn::Module& model, const Tensor& x, const Tensor& y, const attacks::AttackOptions& attack,
                         Generator& gen) {
  // attacks::pgd runs in eval mode and restores the mode; its x_adv is
  // detached. detach() again so this function's contract does not depend on it.
  return attacks::pgd(model, x, y, attack, gen).x_adv.detach();
}

Trainer::StepLoss online_adversarial_loss(const OnlineAdversarialOptions& options) {
  const attacks::AttackOptions attack = to_attack_options(options);
  auto gen = std::make_shared<Generator>(options.seed);
  const double w = options.mix == "double-batch" ? 0.5 : options.adversarial_weight;
  const bool adversarial_only = options.mix == "adversarial";
  return [attack, gen, w, adversarial_only](nn::Module& model, const data::Batch& batch, Tensor& logits) {
    const Tensor x_adv = craft_adversarial(model, batch.images, batch.labels, attack, *gen);
    if (adversarial_only) {
      logits = model(x_adv);
      return cross_entropy(logits, batch.labels);
    }
    // One forward pass over [x; x_adv]; the first half of the logits is clean.
    const std::int64_t n = batch.labels.numel();
    Tensor both = model(cat({batch.images, x_adv}, 0));
    logits = both.slice(0, 0, n);
    Tensor clean_loss = cross_entropy(logits, batch.labels);
    Tensor adv_loss = cross_entropy(both.slice(0, n, 2 * n), batch.labels);
    return add(clean_loss * (1 - w), adv_loss * w);
  };
}

}  // namespace advgrad::training
