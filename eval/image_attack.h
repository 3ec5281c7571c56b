#pragma once
// One attack on one image under a classifier, reported the way a person reads
// it: what the model said before ("espresso 95%"), what it says after, how
// far the pixels moved, and how long it took. The label attacked away from is
// the model's own clean top-1: a photo has no ground truth here, and "the
// network changed its answer" is the claim being shown.
//
//   attacks::AttackOptions o;  // PGD, eps 1/255, 10 steps of eps / 4
//   o.eps = 1.0 / 255, o.step_size = o.eps / 4, o.steps = 10;
//   eval::ImageAttack a = eval::attack_image(model, image, o, names);
//   // a.clean.name "espresso" -> a.adversarial.name "...", a.linf <= 1/255
#include <cstdint>
#include <string>
#include <vector>

#include "advgrad/attacks/attack.h"
#include "advgrad/eval/classify.h"

namespace advgrad::eval {

struct ImageAttack {
  Tensor x, x_adv;                  // [1, C, H, W] pixels, x_adv detached
  Tensor clean_logits, adv_logits;  // [1, classes]
  Prediction clean, adversarial;    // top-1 before and after
  std::int64_t target = -1;         // targeted attacks: the class aimed at
  double target_probability = 0;    // its probability on x_adv (targeted only)
  bool success = false;             // top-1 changed (untargeted) / is the target (targeted)
  double linf = 0;                  // max |x_adv - x|, in pixel units
  double seconds = 0;               // the attack alone, without the clean forward pass
};

// Attacks `image` ([1, C, H, W] or [C, H, W] pixels in [options.lo,
// options.hi], on the model's device) with attacks::pgd, taking the clean
// top-1 as the label. A fixed target (options.target_mode Fixed) equal to the
// clean top-1 is an error: there would be nothing to do. `names` as for
// classify (empty: indices as names). Randomness (a random start) from `gen`.
ImageAttack attack_image(nn::Module& model, const Tensor& image, const attacks::AttackOptions& options,
                         const std::vector<std::string>& names, Generator& gen);

}  // namespace advgrad::eval
