#pragma once
// The example grid of an attack: attack the first rows of a data set and draw
// (clean | perturbation | adversarial) with the model's predictions. Shared by
// `advgrad attack --out` and the workshop's attack stage.
#include <cstdint>
#include <string>

#include "advgrad/attacks/attack.h"
#include "advgrad/data/dataset.h"
#include "advgrad/nn/module.h"
#include "advgrad/report/figure.h"

namespace advgrad::report {

// Attacks the first `rows` examples of `data` with `options` (randomness from
// `seed`) and returns their adversarial_grid (figures.h) titled `title`.
Figure attack_example_grid(nn::Module& model, const data::Dataset& data, const attacks::AttackOptions& options,
                           std::uint64_t seed, std::int64_t rows, const std::string& title);

}  // namespace advgrad::report
