#pragma once
// Parameters of the fused update kernels: one pass over a parameter (or an
// adversarial batch) instead of a chain of elementwise ops, each of which would
// read and write the whole tensor again.
#include <cstdint>

namespace advgrad::kernels {

// The vocabulary of these updates is one from the public API down to here:
// nn::Sgd takes SgdOptions, core's sgd_update_ takes SgdOptions, and the
// kernel takes SgdParams = SgdOptions + what one call adds (the same for Adam
// and for attacks::AttackOptions -> AttackStepOptions). core/ops/ops.h
// re-exports these names into advgrad::, nn::, and attacks::.

// SGD over n contiguous elements, in place (nn/optimizer.h has the same math):
//   g = grad + weight_decay * p
//   with momentum mu:  b = g (first step) or mu b + (1 - dampening) g
//                      d = g + mu b (Nesterov) or b
//   without:           d = g
//   p -= lr d
struct SgdOptions {
  double lr = 0.01, momentum = 0, dampening = 0, weight_decay = 0;
  bool nesterov = false;
};
struct SgdParams : SgdOptions {
  bool first_step = false;  // the momentum buffer is uninitialised: b = g
};

// Adam / AdamW over n contiguous elements, in place; t = the step count (>= 1):
//   AdamW (decoupled): p *= 1 - lr wd;   Adam: g = grad + wd p
//   m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2
//   p -= (lr / (1 - b1^t)) m / (sqrt(v / (1 - b2^t)) + eps)
struct AdamOptions {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0;
  bool decoupled = false;  // AdamW: p *= 1 - lr wd instead of g += wd p
};
struct AdamParams : AdamOptions {
  double bias_correction1 = 1, bias_correction2 = 1;  // 1 - b1^t, 1 - b2^t
};

// One attack iteration on `rows` examples of `row_size` contiguous elements,
// in place on x_adv (attacks/attack.h has the same math):
//   d = sign(g) | g / (max_i |g_i| + 1e-12) | g / (||g||_2 + 1e-12)   (per example)
//   a = x_adv + step_size d
//   L-inf: a = clamp(a, x - eps, x + eps)
//   L2:    a = x + (a - x) min(1, eps / (||a - x||_2 + 1e-12))
//   x_adv = clamp(a, lo, hi)
enum class Norm { Linf, L2 };              // the eps-ball: max_i |d_i| <= eps, or ||d||_2 <= eps
enum class Normalizer { Sign, Max, L2 };  // how a gradient becomes a step direction
struct AttackStepOptions {
  Normalizer normalizer = Normalizer::Sign;
  Norm norm = Norm::Linf;
  double step_size = 0, eps = 0, lo = 0, hi = 1;
};
struct AttackStepParams : AttackStepOptions {
  std::int64_t rows = 0, row_size = 0;
};

}  // namespace advgrad::kernels
