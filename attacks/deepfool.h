#pragma once
// DeepFool (Moosavi-Dezfooli, Fawzi & Frossard, "DeepFool: a simple and
// accurate method to fool deep neural networks", CVPR 2016, Algorithm 2):
// the smallest perturbation that crosses the closest decision boundary of the
// classifier linearised at the current point. With f'_k = z_k - z_y and
// w'_k = grad z_k - grad z_y at x_i, over the candidate classes k != y,
//
//   l   = argmin_k |f'_k| / ||w'_k||_q
//   r_i = (|f'_l| + 1e-4) / ||w'_l||_2^2 * w'_l          (L2, q = 2)
//   r_i = (|f'_l| + 1e-4) / ||w'_l||_1 * sign(w'_l)      (L-inf, q = 1: the dual norm, eq. 10)
//   x_{i+1} = clip(x + (1 + overshoot) * sum_{j <= i} r_j, lo, hi)
//
// until the prediction at x_{i+1} is no longer y or `steps` iterations ran.
// For an affine binary classifier the first step lands on the boundary (times
// 1 + overshoot): distance |w.x + b| / ||w||_2. The candidates are the
// `candidates` most likely classes of the clean logits (the authors' code
// uses 10), y excluded. The 1e-4 and the overshoot 0.02 push the point just
// across the boundary, as in the paper's code.
#include "advgrad/attacks/attack.h"

namespace advgrad::attacks {

struct DeepFoolOptions {
  int steps = 50;           // max iterations
  double overshoot = 0.02;  // the paper's eta
  int candidates = 10;      // top classes of the clean logits searched (y included in the count)
  Norm norm = Norm::L2;
  double lo = 0.0, hi = 1.0;
};

// Untargeted, unbounded (no eps): result.x_adv is the first point found that
// is misclassified (the last iterate where none was), inside [lo, hi];
// result.success = misclassified at x_adv; result.loss the margin
// max_{j != y} z_j - z_y there. An example misclassified at x keeps x.
// Deterministic (no randomness); keeps the rest of attack.h's contract.
AttackResult deepfool(nn::Module& model, const Tensor& x, const Tensor& y, const DeepFoolOptions& options = {});

}  // namespace advgrad::attacks
