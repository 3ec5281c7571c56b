#pragma once
// Robust evaluation: accuracy of a model under an attack over a whole data
// set, eps sweeps, and gradient-masking diagnostics. The one evaluation path
// every recipe and the CLI use.
#include <functional>
#include <string>
#include <vector>

#include "advgrad/attacks/attack.h"
#include "advgrad/data/dataset.h"
#include "advgrad/nn/module.h"

namespace advgrad::eval {

struct RobustResult {
  double eps = 0;
  double clean_accuracy = 0;
  double robust_accuracy = 0;  // correct on x_adv (untargeted) / not fooled into the target (targeted)
  double success_rate = 0;     // attack success over eligible examples
  double mean_loss = 0;        // mean attack objective at x_adv
  std::int64_t count = 0;
  double seconds = 0;
  // Per example, tallied: confusion[true][predicted on x_adv], and per true
  // class the attack's successes over its eligible examples (a targeted
  // attack's eligible ones are those not already of the target class).
  std::vector<std::vector<std::int64_t>> confusion;
  std::vector<std::int64_t> class_success, class_eligible;
};

// Where a robust evaluation is, for a progress bar: before each attack of each
// batch, the examples finished so far out of `total`, the attack starting
// (attacks::algorithm_name, or an AutoAttack member) and how many of the
// batch's examples it attacks (AutoAttack's later members: those still robust).
struct RobustProgress {
  double eps = 0;
  std::int64_t done = 0, total = 0;
  std::string attack;
  std::int64_t attacking = 0;
};
using RobustProgressCallback = std::function<void(const RobustProgress&)>;

// Runs the attack on every batch of `data` (first `limit` examples if > 0).
RobustResult robust_accuracy(nn::Module& model, const data::Dataset& data, const attacks::AttackOptions& options,
                             std::uint64_t seed = 0, std::int64_t batch_size = 250, std::int64_t limit = 0,
                             const RobustProgressCallback& progress = {});

// eps values "0:0.3:0.05" -> {0, 0.05, ..., 0.3}; throws on bad text.
std::vector<double> parse_eps_sweep(const std::string& text);

// One RobustResult per eps; step size scales with eps (step = eps * step_fraction)
// unless the options are FGSM-like (steps == 1: step = eps).
std::vector<RobustResult> eps_sweep(nn::Module& model, const data::Dataset& data, const attacks::AttackOptions& options,
                                    const std::vector<double>& eps_values, double step_fraction = 0.25,
                                    std::uint64_t seed = 0, std::int64_t limit = 0,
                                    const RobustProgressCallback& progress = {});
std::string sweep_to_csv(const std::vector<RobustResult>& sweep);
std::string sweep_to_json(const std::vector<RobustResult>& sweep, const std::string& attack_name);

// Gradient-masking diagnostics (Athalye et al. 2018's warning signs): an
// iterative attack weaker than a single step, random noise beating the
// gradient, or accuracy not falling as eps grows.
struct MaskingReport {
  double fgsm_accuracy = 0, pgd_accuracy = 0, noise_accuracy = 0;
  std::vector<RobustResult> sweep;
  std::vector<std::string> warnings;  // empty = no sign of masking
};
MaskingReport masking_diagnostics(nn::Module& model, const data::Dataset& data, double eps, std::uint64_t seed = 0,
                                  std::int64_t limit = 500);

}  // namespace advgrad::eval
