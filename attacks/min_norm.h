#pragma once
// What a minimal-norm attack (DeepFool, Carlini-Wagner) measures: not the
// accuracy inside a fixed ball but, per example, the smallest perturbation it
// found that changes the prediction. A model is more robust when the median of
// these norms is larger. From the norms follows the accuracy at any radius:
// an example is robust at eps when its attack failed or needed more than eps.
#include <cstdint>
#include <vector>

#include "advgrad/attacks/attack.h"

namespace advgrad::attacks {

// ||x_adv - x|| per example (Norm::L2 or Norm::Linf), float64 on the host.
std::vector<double> perturbation_norms(const Tensor& x, const Tensor& x_adv, Norm norm = Norm::L2);

struct MinNormSummary {
  std::int64_t count = 0;       // examples
  std::int64_t attacked = 0;    // correctly classified before the attack: the ones with something to find
  std::int64_t successes = 0;   // of those, misclassified at x_adv
  double success_rate = 0;      // successes / attacked
  double median_norm = 0;       // over the successes (0 without any)
  double mean_norm = 0;         // over the successes
  double eps = 0;               // the radius of accuracy_at_eps (0: none asked)
  double accuracy_at_eps = 0;   // correct at x and (failed or norm > eps), over count
};

// Summarises one run over `count` examples. Per example: clean_correct (0/1),
// success (0/1: misclassified at x_adv) and the perturbation's norm. An
// example misclassified before the attack is never counted as attacked, and
// it is not robust at any eps. eps > 0 also gives accuracy_at_eps.
MinNormSummary summarize_min_norm(const std::vector<double>& clean_correct, const std::vector<double>& success,
                                  const std::vector<double>& norms, double eps = 0);

// The median of `values` (the mean of the two middle ones for an even count);
// 0 for none.
double median(std::vector<double> values);

// A minimal-norm result seen through a ball of radius eps (the contract of
// attack.h for run_attack): an example keeps its x_adv when ||x_adv - x|| <=
// eps (plus a float tolerance), else it gets x back and counts as a failure.
// result.loss becomes the margin max_{j != y} z_j - z_y at the kept points.
// The kept points are projected onto the ball and [lo, hi] exactly, and
// success is measured again there.
// The minimal-norm attack options.algorithm names (DeepFool or Carlini-Wagner),
// unbounded: each example's smallest adversarial point found, whatever its norm.
AttackResult min_norm_attack(nn::Module& model, const Tensor& x, const Tensor& y, const AttackOptions& options);
AttackResult restrict_to_ball(nn::Module& model, const Tensor& x, const Tensor& y, AttackResult result, double eps,
                              Norm norm, double lo, double hi);

}  // namespace advgrad::attacks
