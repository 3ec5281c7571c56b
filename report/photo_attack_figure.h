#pragma once
// The figure of attacks on photos (eval::attack_image): one row per photo,
// clean | perturbation | adversarial, each labelled with the model's class
// names. The label is the model's own clean top-1 ("label espresso"), the
// perturbation's size is written in 1/255 units, and for a targeted attack
// the adversarial tile names the class aimed at.
#include <string>
#include <vector>

#include "advgrad/attacks/attack.h"
#include "advgrad/eval/image_attack.h"
#include "advgrad/report/figure.h"

namespace advgrad::report {

// `options` is what every attack in `attacks` ran with (its norm, eps and
// whether it was targeted); `names` the model's class names. An error naming
// photo_attack_figure for an empty list.
Figure photo_attack_figure(const std::vector<eval::ImageAttack>& attacks, const std::vector<std::string>& names,
                           const attacks::AttackOptions& options, const std::string& title);

}  // namespace advgrad::report
