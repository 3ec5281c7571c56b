#pragma once
// Online adversarial training: every step crafts adversarial examples for the
// current batch with the current weights, then updates on them.
//
//   x_adv = attack(f_theta, x, y)            (eval mode, detached: a constant)
//   double-batch:  L = 1/2 CE(f(x), y) + 1/2 CE(f(x_adv), y)   (Goodfellow et al. 2015)
//   adversarial:   L = CE(f(x_adv), y)                          (Madry et al. 2018)
//   weighted:      L = (1 - w) CE(f(x), y) + w CE(f(x_adv), y)
//
// Attacks: "fgsm" (one signed step of size eps from x), "fgsm-rs" (a uniform
// random start in the eps-ball, then one step of 1.25 eps, projected: the
// "fast" training of Wong, Rice & Kolter 2020), "pgd" (k steps of 2.5 eps / k
// from a random start, Madry et al. 2018). The attack always goes through
// attacks::pgd, which puts the model in eval mode, takes only input gradients
// and returns x_adv detached, so no gradient of the update flows through the
// attack's creation (no second-order terms), and the model's train/eval mode
// is what it was before the attack when the update's forward pass runs.
//
// double-batch and weighted run clean and adversarial examples through one
// forward pass of the concatenated batch [x; x_adv] (so BatchNorm sees both in
// one set of batch statistics: what AdvProp's dual BN avoids). The `logits`
// the Trainer counts as training accuracy are the clean ones, except for
// mix = "adversarial", where no clean forward pass is made and they are the
// logits on x_adv (the log then shows adversarial training accuracy).
#include <cstdint>
#include <string>

#include "advgrad/attacks/attack.h"
#include "advgrad/training/trainer.h"

namespace advgrad::training {

struct OnlineAdversarialOptions {
  std::string attack = "pgd";        // "fgsm", "fgsm-rs", "pgd"
  double eps = 0.1;                  // L-inf radius in pixel space
  int steps = 7;                     // pgd only
  double step_size = 0;              // 0: fgsm eps, fgsm-rs 1.25 eps, pgd 2.5 eps / steps
  std::string mix = "double-batch";  // "double-batch", "adversarial", "weighted"
  double adversarial_weight = 0.5;   // weighted: (1 - w) clean loss + w adversarial loss
  std::uint64_t seed = 0;            // attack randomness (random starts)
  double lo = 0, hi = 1;             // valid pixel range
};

const std::vector<std::string>& online_attack_names();  // fgsm, fgsm-rs, pgd
const std::vector<std::string>& adversarial_mix_names();  // double-batch, adversarial, weighted

// Throws advgrad::Error on an unknown attack or mix, eps <= 0, steps < 1,
// a negative step size or a weight outside [0, 1].
void validate(const OnlineAdversarialOptions& options);
// The attacks::AttackOptions the recipe runs (defaults resolved).
attacks::AttackOptions to_attack_options(const OnlineAdversarialOptions& options);
// Adversarial examples for a batch, detached (shared by the recipes).
Tensor craft_adversarial(nn::Module& model, const Tensor& x, const Tensor& y, const attacks::AttackOptions& attack,
                         Generator& gen);
// The step loss; it owns a Generator seeded with options.seed for the random
// starts, so a run is reproducible.
Trainer::StepLoss online_adversarial_loss(const OnlineAdversarialOptions& options);

}  // namespace advgrad::training
