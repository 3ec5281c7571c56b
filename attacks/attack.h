#pragma once
// Adversarial attacks: turn dLoss/dInput into adversarial examples.
//
// The contract every attack keeps:
//   - inputs x live in pixel space [lo, hi]; x_adv has x's shape and always lies
//     inside the eps-ball around x (L-inf or L2) and inside [lo, hi];
//   - the model runs in eval mode during the attack and its previous mode is
//     restored afterwards (no BatchNorm statistics updated, no dropout);
//   - only input gradients are computed (autograd::grad w.r.t. the input), so
//     parameters' .grad are never touched and weight-gradient kernels are
//     skipped (input-only backward);
//   - attacks work on logits, report per-example success, are deterministic
//     given a Generator, and x_adv is detached: nothing backpropagates through
//     its creation when it is used inside training.
#include <cstdint>
#include <functional>
#include <string>

#include "advgrad/core/generator.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/core/tensor.h"
#include "advgrad/nn/module.h"

namespace advgrad::attacks {

// The ball: Norm::Linf (max_i |x_adv_i - x_i| <= eps) or Norm::L2. How a
// gradient becomes a step: Normalizer::Sign (sign(g), the L-inf steepest
// ascent), Max (g scaled so that max |g| = 1 per example) or L2 (g scaled to
// unit L2 norm per example). Both are the types of the fused attack-step
// kernel (kernels/fused_params.h): one vocabulary from here down.
using advgrad::Norm;
using advgrad::Normalizer;
// The per-example loss an attack ascends:
//   CrossEntropy  -log softmax(z)_y
//   Margin        max_{j != y} z_j - z_y (Carlini-Wagner style)
//   Dlr           -(z_y - max_{j != y} z_j) / (z_pi1 - z_pi3 + 1e-12), the
//                 Difference of Logits Ratio of Croce & Hein (ICML 2020, eq. 6):
//                 pi sorts the logits in decreasing order. The ratio makes it
//                 invariant to shifting and rescaling the logits, so a model
//                 cannot hide behind saturated softmax outputs; needs >= 3 classes.
enum class AttackLoss { CrossEntropy, Margin, Dlr };
// Target choice for targeted attacks.
enum class TargetMode { Fixed, Random, LeastLikely };
// Targeted objective: the workshop's "maximise loss(y) - loss(target)", or the
// usual "minimise loss(target)".
enum class TargetedObjective { TrueMinusTarget, MinimiseTarget };

// Which attack run_attack() runs: the PGD family below (pgd()), or one of the
// parameter-free attacks of docs/robust-evaluation.md: APGD on `loss`
// (apgd.h), APGD-T over `target_classes` wrong classes, FAB-T over
// `target_classes` wrong classes (untargeted FAB with 0; fab.h, L-inf), Square
// with `queries` queries (square.h, L-inf), or the AutoAttack ensemble
// (autoattack.h, L-inf);
// or a minimal-norm attack seen through the eps-ball (min_norm.h,
// restrict_to_ball): DeepFool (deepfool.h, L2 or L-inf) or Carlini-Wagner L2
// (carlini_wagner.h).
enum class AttackAlgorithm { Pgd, Apgd, ApgdTargeted, Fab, Square, AutoAttack, DeepFool, CarliniWagner };

struct AttackOptions {
  AttackAlgorithm algorithm = AttackAlgorithm::Pgd;
  double eps = 0.1;        // radius of the ball in pixel space
  double step_size = 0.01;
  int steps = 10;          // 1 with step_size = eps and no random start = FGSM
  Norm norm = Norm::Linf;
  Normalizer normalizer = Normalizer::Sign;
  bool random_start = false;  // uniform in the ball (L-inf) / on a random direction inside it (L2)
  int restarts = 1;           // keep the worst case per example over restarts
  bool early_stop = false;    // freeze an example once it is misclassified (or hits its target)
  AttackLoss loss = AttackLoss::CrossEntropy;
  double momentum = 0;        // > 0: MI-FGSM (Dong et al. 2018): g_t = mu g_{t-1} + g / ||g||_1
  double lo = 0.0, hi = 1.0;  // valid pixel range
  // Targeted attacks.
  bool targeted = false;
  TargetMode target_mode = TargetMode::Fixed;
  std::int64_t target_class = 0;
  TargetedObjective objective = TargetedObjective::TrueMinusTarget;
  // The parameter-free attacks (algorithm != Pgd; `steps` is APGD's iterations).
  int target_classes = 9;  // APGD-T, FAB-T (0: untargeted FAB) and AutoAttack
  int queries = 5000;      // Square and AutoAttack, per example
  // The minimal-norm attacks (`steps` is their iteration budget: DeepFool's
  // iterations, Carlini-Wagner's Adam steps per value of c).
  double overshoot = 0.02;  // DeepFool
  int candidates = 10;      // DeepFool: the top classes searched
  double kappa = 0;         // Carlini-Wagner: the confidence margin
  double initial_c = 1e-3;  // Carlini-Wagner: the first trade-off constant
  int search_steps = 9;     // Carlini-Wagner: binary-search steps over c
  double learning_rate = 0.01;  // Carlini-Wagner: Adam's step
};

struct AttackResult {
  Tensor x_adv;     // detached, same shape as x
  Tensor success;   // [N] float 0/1: misclassified (untargeted) or predicted as the target (targeted)
  Tensor targets;   // [N] int64 target classes (targeted attacks), undefined otherwise
  Tensor eligible;  // [N] float 0/1: 0 where a fixed target equals the true class (nothing to attack)
  Tensor loss;      // [N] per-example attack objective at x_adv (larger = more adversarial)
  // Fraction of eligible examples on which the attack succeeded.
  double success_rate() const;
};

// Checks options (negative eps, steps 0, lo >= hi, ...) and throws advgrad::Error.
void validate(const AttackOptions& options, const char* who);
// validate(), then the batch: x [N, ...] with pixels in [lo, hi], y int64 [N]
// on x's device. Errors name `who`.
void check_attack_inputs(const Tensor& x, const Tensor& y, const AttackOptions& options, const char* who);
// x_0 of an attack: uniform in the L-inf ball, or a random direction scaled by
// a uniform radius in the L2 ball, projected into [lo, hi]; a copy of x
// without options.random_start (or with eps 0).
Tensor random_start(const Tensor& x, const AttackOptions& options, Generator& gen);

// The general iterative attack (BIM / PGD / MI-FGSM, targeted or not).
AttackResult pgd(nn::Module& model, const Tensor& x, const Tensor& y, const AttackOptions& options, Generator& gen);
// Runs options.algorithm: pgd() for Pgd, else apgd(), apgd_targeted(), fab(),
// square_attack() or autoattack() with the options that apply to it. For the
// parameter-free attacks result.success is "misclassified" (APGD-T's targets
// are directions, not goals); `targeted` must be false for them, and Square
// FAB and AutoAttack need Norm::Linf. DeepFool and Carlini-Wagner (L2 only) run
// unbounded and then keep only the points within eps (restrict_to_ball), so
// the robust accuracy is the accuracy at radius eps.
// `progress`, when set, is told each attack as it starts, with the number of
// examples it attacks (once for a single attack; AutoAttack's members one by
// one, each on the examples still robust): what a progress bar shows.
using AttackProgress = std::function<void(const std::string& attack, std::int64_t examples)>;
AttackResult run_attack(nn::Module& model, const Tensor& x, const Tensor& y, const AttackOptions& options,
                        Generator& gen, const AttackProgress& progress = {});
// The short name of options.algorithm ("fgsm" for one step, "mifgsm" with
// momentum, else "pgd"; "apgd-ce", "apgd-dlr", "apgd-t", "fab-t", "fab", "square",
// "autoattack", "deepfool", "cw"), as progress reports it.
std::string algorithm_name(const AttackOptions& options);
// FGSM: one step of size eps from x (no random start): x + eps * sign(g).
AttackResult fgsm(nn::Module& model, const Tensor& x, const Tensor& y, double eps, const AttackOptions& base = {});

// Per-example attack loss (N values) of the given logits; larger = more adversarial
// for the untargeted objective.
Tensor attack_loss(const Tensor& logits, const Tensor& y, AttackLoss loss);
// The targeted DLR of Croce & Hein (2020, eq. 7), per example, to maximise:
//   -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2 + 1e-12); needs >= 4 classes.
Tensor targeted_dlr_loss(const Tensor& logits, const Tensor& y, const Tensor& targets);
// The class of rank `rank` (0: the largest logit) per row of logits [N, C], as
// int64 [N] on the logits' device; ties broken by the lower class index.
Tensor ranked_classes(const Tensor& logits, std::int64_t rank);
// z[i, classes[i]] per row of logits [N, C] (classes int64 [N]), differentiable in z.
Tensor logit_of(const Tensor& logits, const Tensor& classes);
// Picks the targets of a targeted attack (never the true class).
Tensor choose_targets(nn::Module& model, const Tensor& x, const Tensor& y, const AttackOptions& options,
                      Generator& gen, std::int64_t classes);
// Normalises a gradient per example according to `normalizer`.
Tensor normalize_gradient(const Tensor& g, Normalizer normalizer);
// Projects x_adv onto the eps-ball around x and clips to [lo, hi].
Tensor project(const Tensor& x_adv, const Tensor& x, double eps, Norm norm, double lo, double hi);

// Restores a module's train/eval mode on scope exit.
class EvalModeGuard {
 public:
  explicit EvalModeGuard(nn::Module& m) : m_(m), was_training_(m.is_training()) { m.eval(); }
  ~EvalModeGuard() { m_.train(was_training_); }
  EvalModeGuard(const EvalModeGuard&) = delete;
  EvalModeGuard& operator=(const EvalModeGuard&) = delete;

 private:
  nn::Module& m_;
  bool was_training_;
};

}  // namespace advgrad::attacks
