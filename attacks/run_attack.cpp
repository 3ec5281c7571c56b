// run_attack: one entry point for every attack, chosen by options.algorithm,
// so that robust evaluation, sweeps and the command line take any of them.
#include "advgrad/attacks/apgd.h"
#include "advgrad/attacks/attack.h"
#include "advgrad/attacks/autoattack.h"
#include "advgrad/attacks/carlini_wagner.h"
#include "advgrad/attacks/deepfool.h"
#include "advgrad/attacks/fab.h"
#include "advgrad/attacks/min_norm.h"
#include "advgrad/attacks/square.h"

namespace advgrad::attacks {

AttackResult min_norm_attack(nn::Module& model, const Tensor& x, const Tensor& y, const AttackOptions& o) {
  ADVGRAD_CHECK(o.algorithm == AttackAlgorithm::DeepFool || o.algorithm == AttackAlgorithm::CarliniWagner,
                "min_norm_attack: options.algorithm must be DeepFool or CarliniWagner");
  return o.algorithm == AttackAlgorithm::DeepFool
             ? deepfool(model, x, y, {o.steps, o.overshoot, o.candidates, o.norm, o.lo, o.hi})
             : carlini_wagner(model, x, y,
                              {o.steps, o.search_steps, o.initial_c, o.kappa, o.learning_rate, true, o.lo, o.hi});
}

std::string algorithm_name(const AttackOptions& o) {
  switch (o.algorithm) {
    case AttackAlgorithm::Pgd: return o.steps == 1 ? "fgsm" : o.momentum > 0 ? "mifgsm" : "pgd";
    case AttackAlgorithm::Apgd: return o.loss == AttackLoss::Dlr ? "apgd-dlr" : "apgd-ce";
    case AttackAlgorithm::ApgdTargeted: return "apgd-t";
    case AttackAlgorithm::Fab: return o.target_classes > 0 ? "fab-t" : "fab";
    case AttackAlgorithm::Square: return "square";
    case AttackAlgorithm::AutoAttack: return "autoattack";
    case AttackAlgorithm::DeepFool: return "deepfool";
    case AttackAlgorithm::CarliniWagner: return "cw";
  }
  return "pgd";
}

AttackResult run_attack(nn::Module& model, const Tensor& x, const Tensor& y, const AttackOptions& o, Generator& gen,
                        const AttackProgress& progress) {
  // AutoAttack reports each member itself; every other attack is one stage.
  if (progress && o.algorithm != AttackAlgorithm::AutoAttack) progress(algorithm_name(o), x.size(0));
  if (o.algorithm == AttackAlgorithm::Pgd) return pgd(model, x, y, o, gen);
  if (o.algorithm == AttackAlgorithm::DeepFool || o.algorithm == AttackAlgorithm::CarliniWagner) {
    // Minimal-norm attacks: the minimal perturbation counts only inside the ball.
    ADVGRAD_CHECK(!o.targeted, "run_attack: DeepFool and Carlini-Wagner are untargeted here");
    ADVGRAD_CHECK(o.norm == Norm::L2 || o.algorithm == AttackAlgorithm::DeepFool,
                  "run_attack: Carlini-Wagner is the L2 attack; use Norm::L2");
    check_attack_inputs(x, y, o, "run_attack");
    return restrict_to_ball(model, x, y, min_norm_attack(model, x, y, o), o.eps, o.norm, o.lo, o.hi);
  }
  ADVGRAD_CHECK(!o.targeted, "run_attack: APGD, APGD-T, FAB, Square and AutoAttack are untargeted here "
                             "(APGD-T and FAB-T aim at wrong classes on their own); use PGD for a targeted attack");
  ADVGRAD_CHECK(o.norm == Norm::Linf || o.algorithm == AttackAlgorithm::Apgd || o.algorithm == AttackAlgorithm::ApgdTargeted,
                "run_attack: FAB, Square and AutoAttack are implemented for the L-inf ball only");
  switch (o.algorithm) {
    case AttackAlgorithm::Apgd:
      return apgd(model, x, y, o, gen);
    case AttackAlgorithm::ApgdTargeted:
      return apgd_targeted(model, x, y, o, gen, o.target_classes);
    case AttackAlgorithm::Fab: {
      FabOptions fo;  // the paper's alpha_max, eta and beta
      fo.eps = o.eps, fo.steps = o.steps, fo.target_classes = o.target_classes, fo.restarts = o.restarts;
      fo.lo = o.lo, fo.hi = o.hi;
      return fab(model, x, y, fo, gen);
    }
    case AttackAlgorithm::Square:
      return square_attack(model, x, y, {o.eps, o.queries, 0.8, o.lo, o.hi}, gen);
    case AttackAlgorithm::AutoAttack:
      return autoattack(model, x, y, {o.eps, o.steps, o.target_classes, o.queries, o.lo, o.hi}, gen, progress).result;
    case AttackAlgorithm::Pgd:
    case AttackAlgorithm::DeepFool:
    case AttackAlgorithm::CarliniWagner:
      break;
  }
  return pgd(model, x, y, o, gen);
}

}  // namespace advgrad::attacks
