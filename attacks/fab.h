#pragma once
// FAB, the Fast Adaptive Boundary attack (Croce & Hein, "Minimally distorted
// adversarial examples with a fast adaptive boundary attack", ICML 2020), in
// the L-inf norm, and its targeted form FAB-T, the third member of the
// AutoAttack ensemble (Croce & Hein, ICML 2020, "Reliable evaluation ...").
// FAB looks for the adversarial point closest to x, not for the
// worst point of a ball; in the ensemble an example counts as broken only when
// the closest misclassified point it found lies within eps.
//
// (The steps are named as the paper names them, without section or equation
// numbers: the paper's text was not at hand to check those. The constants
// were checked against the authors' AutoAttack code, FAB-T's standard
// settings.)
//
// At the iterate x_i (x_0 = x, the original point), with c the true class and
// f_l = z_l - z_c, each wrong class l has a linearised decision boundary
//
//   pi_l:  f_l(x_i) + <grad f_l(x_i), xi - x_i> = 0
//
// FAB-T takes pi_t of its target class t; untargeted FAB the closest one,
// s = argmin_{l != c} |f_l(x_i)| / ||grad f_l(x_i)||_1 (||.||_1 is the dual
// norm of L-inf). With C = [lo, hi]^d and proj(z) the point of pi_s n C
// closest to z in L-inf (the projection onto a hyperplane with box
// constraints, fab_linf_projection below),
//
//   d_i  = proj(x_i) - x_i,   d_0 = proj(x) - x
//   a    = min(||d_i||_inf / (||d_i||_inf + ||d_0||_inf), alpha_max)
//   x_{i+1} = clip_C((1 - a)(x_i + eta d_i) + a (x + eta d_0))     (the biased step)
//
// The second term biases the step towards the original point, so the iterates
// stay close to x; eta > 1 overshoots the linearised boundary a little, so the
// step crosses it. When x_{i+1} is misclassified it is recorded (the smallest
// ||x_{i+1} - x||_inf per example is kept) and the iterate moves back towards
// x (the backward step): x_{i+1} = x + beta (x_{i+1} - x).
//
// Constants: AutoAttack's standard FAB-T: 100 iterations, alpha_max = 0.1,
// eta = 1.05, beta = 0.9, one run per target, the 9 most likely wrong classes
// of the clean logits. Restarts after the first start at a random point: x +
// u * min(best norm so far, eps) / 2 with u uniform in [-1, 1]^d rescaled to
// ||u||_inf = 1 (the paper's random restarts, with the radius of the
// authors' code); the first run starts at x itself, as AutoAttack's FAB-T
// does (its first restart has no random start). As in the authors' code, a
// point counts as adversarial when it is misclassified, whatever its target.
#include <vector>

#include "advgrad/attacks/attack.h"

namespace advgrad::attacks {

struct FabOptions {
  double eps = 0.1;           // a point counts only when ||x_adv - x||_inf <= eps
  int steps = 100;            // iterations per run
  int target_classes = 9;     // FAB-T: runs toward the k most likely wrong classes; 0: untargeted FAB
  int restarts = 1;           // per target (untargeted: runs); those after the first start at random
  double alpha_max = 0.1;     // the largest bias a towards x
  double eta = 1.05;          // overshoot of the linearised boundary
  double beta = 0.9;          // backward step after a success
  double lo = 0.0, hi = 1.0;  // the box C
};

// The L-inf projection onto a hyperplane inside a box:
// delta = argmin ||delta||_inf subject to <w, z + delta> + b = 0 and
// lo <= z + delta <= hi, for z inside the box. With r = -(<w, z> + b) the
// needed change of <w, .>, moving coordinate i by at most t in the direction
// sign(r w_i) buys |w_i| min(t, u_i), where u_i >= 0 is the room to the box
// side in that direction. So the optimum is
//   delta_i = sign(r w_i) min(t*, u_i),  t* = min{t : sum_i |w_i| min(t, u_i) >= |r|},
// found exactly by sorting the u_i (the sum is piecewise linear in t). When
// even t = max u_i falls short the hyperplane misses the box, and the result
// is the box corner that gets closest to it (t* = infinity).
std::vector<double> fab_linf_projection(const std::vector<double>& z, const std::vector<double>& w, double b, double lo,
                                        double hi);

// FAB-T (options.target_classes >= 1) or untargeted FAB (0) in the L-inf
// ball. Each run attacks only the examples no earlier run broke. Keeps the
// contract of attack.h: result.x_adv is the closest misclassified point found
// when it lies within eps, else x; result.success is "misclassified at
// x_adv"; result.loss is -||x_adv - x||_inf for a success and -inf otherwise
// (larger = more adversarial). Needs logits [N, C >= 2] (FAB-T: target_classes
// < C).
AttackResult fab(nn::Module& model, const Tensor& x, const Tensor& y, const FabOptions& options, Generator& gen);

}  // namespace advgrad::attacks
