#pragma once
// Auto-PGD (APGD) and its targeted form APGD-T, from Croce & Hein, "Reliable
// evaluation of adversarial robustness with an ensemble of diverse
// parameter-free attacks" (ICML 2020), Algorithm 1. PGD with a fixed step
// overestimates robustness: too large a step oscillates, too small a one
// stalls. APGD needs no step size. It starts at eta = 2 eps, adds momentum,
// and halves the step at checkpoints when progress stalled, restarting from
// the best point found:
//
//   z_{k+1} = P(x_k + eta_k * normalise(grad f(x_k)))
//   x_{k+1} = P(x_k + a (z_{k+1} - x_k) + (1 - a)(x_k - x_{k-1}))
//             a = 0.75 (a = 1 at the first step, where there is no x_{k-1})
//
// P projects onto the eps-ball (L-inf or L2) and [lo, hi]; normalise is
// sign() for L-inf and g / ||g||_2 for L2. The checkpoints are
// w_j = ceil(p_j N): p_0 = 0, p_1 = 0.22, p_{j+1} = p_j + max(p_j - p_{j-1}
// - 0.03, 0.06). At w_j the step of an example is halved, and the example
// moved back to its best point, when
//   (1) fewer than rho = 75% of the steps since w_{j-1} raised its loss, or
//   (2) its step did not change at w_{j-1} and its best loss did not improve
//       since then.
// Everything is per example. An example counts as broken as soon as one
// iterate is misclassified; that iterate is what the result keeps (else the
// iterate of the highest loss), as the authors' code does for robust accuracy.
#include <vector>

#include "advgrad/attacks/attack.h"

namespace advgrad::attacks {

// The checkpoints w_0 = 0 < w_1 < ... < N (all w_j < N) for N = steps.
std::vector<int> apgd_checkpoints(int steps);

// Untargeted APGD on o.loss (CrossEntropy: APGD-CE; Dlr: APGD-DLR; Margin
// works too), o.steps iterations, o.restarts restarts (each on the examples
// not yet broken), o.random_start (the paper starts at a random point of the
// ball), in o.norm's ball of o.eps inside [o.lo, o.hi]. o.step_size and
// o.momentum are not used: the schedule above replaces them. o.targeted must
// be false (apgd_targeted is the targeted form). Keeps the contract of
// attack.h; result.success is "misclassified".
AttackResult apgd(nn::Module& model, const Tensor& x, const Tensor& y, const AttackOptions& o, Generator& gen);

// APGD-T: for k = 1 .. target_classes, APGD on the targeted DLR loss toward
// the k-th most likely wrong class of the clean input (one restart each), on
// the examples no earlier run broke. result.success is "misclassified" (the
// goal is the label's loss, the target only a direction), result.targets is
// left undefined.
AttackResult apgd_targeted(nn::Module& model, const Tensor& x, const Tensor& y, const AttackOptions& o,
                           Generator& gen, int target_classes = 9);

}  // namespace advgrad::attacks
