#pragma once
// The Square attack (Andriushchenko, Croce, Flammarion & Hein, ECCV 2020), in
// the L-inf ball: a score-based random search that never asks for a gradient.
// It reads only the model's logits, so a model whose input gradient is zero,
// noisy or misleading (masked gradients: a quantising or saturating input
// layer, a shattered or stochastic one) is attacked as easily as an honest
// one. A model whose PGD accuracy is far above its Square accuracy has masked
// gradients; its PGD number says nothing about its robustness.
//
//   x_0 = clip(x + eps * s), s = +-1 per (channel, column): vertical stripes
//   repeat (one query per step and example still classified correctly):
//     side h_i = round(sqrt(p_i * H * W)), at least 1 and below min(H, W)
//     a window of h_i x h_i at a uniform position; in it, delta = +-eps per
//     channel (drawn again while that would leave the window as it was)
//     x' = clip(x + delta'); keep x' if the margin z_y - max_{j != y} z_j fell
//   until the margin is negative (misclassified) or the queries are spent.
//
// p_i, the share of pixels a window covers, halves on a fixed schedule: the
// authors' code uses p_init / 2^k with k the number of the thresholds 10, 50,
// 200, 500, 1000, 2000, 4000, 6000, 8000 that i (rescaled to a budget of
// 10,000 queries) has passed. p_init = 0.8 is AutoAttack's setting.
#include "advgrad/attacks/attack.h"

namespace advgrad::attacks {

struct SquareOptions {
  double eps = 0.1;
  int queries = 5000;   // per example, the first evaluation included
  double p_init = 0.8;  // the share of the image the first windows cover
  double lo = 0.0, hi = 1.0;
};

// p_i of the schedule above for query i of `queries`.
double square_window_share(double p_init, int i, int queries);

// Untargeted L-inf Square attack on inputs [N, C, H, W] (H, W >= 2).
// result.success is "misclassified"; result.loss the final margin's negation
// (larger = more adversarial). Keeps the contract of attack.h; the input
// gradient is never computed.
AttackResult square_attack(nn::Module& model, const Tensor& x, const Tensor& y, const SquareOptions& options,
                           Generator& gen);

}  // namespace advgrad::attacks
