// run_attack: one entry point for every attack, chosen by options.algorithm,
// so that robust evaluation, sweeps and the command line take any of them.
#include "advgrad/attacks/apgd.h"
#include "advgrad/attacks/attack.h"
#include "advgrad/attacks/autoattack.h"
#include "advgrad/attacks/square.h"

namespace advgrad::attacks {

AttackResult run_attack(nn::Module& model, const Tensor& x, const Tensor& y, const AttackOptions& o, Generator& gen) {
  if (o.algorithm == AttackAlgorithm::Pgd) return pgd(model, x, y, o, gen);
  ADVGRAD_CHECK(!o.targeted, "run_attack: APGD, APGD-T, Square and AutoAttack are untargeted here "
                             "(APGD-T aims at wrong classes on its own); use PGD for a targeted attack");
  ADVGRAD_CHECK(o.norm == Norm::Linf || o.algorithm == AttackAlgorithm::Apgd || o.algorithm == AttackAlgorithm::ApgdTargeted,
                "run_attack: Square and AutoAttack are implemented for the L-inf ball only");
  switch (o.algorithm) {
    case AttackAlgorithm::Apgd:
      return apgd(model, x, y, o, gen);
    case AttackAlgorithm::ApgdTargeted:
      return apgd_targeted(model, x, y, o, gen, o.target_classes);
    case AttackAlgorithm::Square:
      return square_attack(model, x, y, {o.eps, o.queries, 0.8, o.lo, o.hi}, gen);
    case AttackAlgorithm::AutoAttack:
      return autoattack(model, x, y, {o.eps, o.steps, o.target_classes, o.queries, o.lo, o.hi}, gen).result;
    case AttackAlgorithm::Pgd:
      break;
  }
  return pgd(model, x, y, o, gen);
}

}  // namespace advgrad::attacks
