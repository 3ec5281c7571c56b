#pragma once
// The Carlini-Wagner L2 attack (Carlini & Wagner, "Towards evaluating the
// robustness of neural networks", IEEE S&P 2017, section V.A), untargeted.
// A change of variables keeps every iterate inside the box [lo, hi]:
//
//   x'(w) = lo + (hi - lo) * (tanh(w) + 1) / 2
//
// and Adam minimises, per example,
//
//   ||x'(w) - x||_2^2 + c * f6(x'(w)),   f6 = max(z_y - max_{j != y} z_j, -kappa)
//
// (f6 with the paper's confidence kappa: zero loss once the best wrong logit
// leads by kappa). The trade-off constant c is found per example by binary
// search: after each search step c goes down (to the midpoint with the
// smallest c that succeeded) if the attack succeeded, else up (times 10 until
// one succeeds, then to the midpoint). The defaults are those of the authors'
// code (github.com/carlini/nn_robust_attacks, l2_attack.py): 9 search steps,
// initial c 1e-3, Adam's learning rate 0.01, kappa 0; its 10,000 iterations
// per search step are cut here to `steps` (100 by default on the command
// line), with its early abort: a search step stops when the loss has not
// fallen by 0.01% over the last steps / 10 iterations. Over all iterates the
// attack keeps, per example, the smallest successful perturbation (success:
// max_{j != y} z_j > z_y + kappa).
#include "advgrad/attacks/attack.h"

namespace advgrad::attacks {

struct CarliniWagnerOptions {
  int steps = 100;             // Adam iterations per search step
  int search_steps = 9;        // binary-search steps over c
  double initial_c = 1e-3;
  double kappa = 0;
  double learning_rate = 0.01;
  bool abort_early = true;
  double lo = 0.0, hi = 1.0;
};

// Untargeted and unbounded: result.x_adv is the smallest successful point per
// example, or x where none was found; result.success = misclassified at
// x_adv; result.loss = the margin max_{j != y} z_j - z_y there. Deterministic
// (no randomness); keeps the rest of attack.h's contract.
AttackResult carlini_wagner(nn::Module& model, const Tensor& x, const Tensor& y,
                            const CarliniWagnerOptions& options = {});

}  // namespace advgrad::attacks
