#pragma once
// Catastrophic-overfitting guard. FGSM adversarial training (also "fast"
// FGSM with a random start, at large eps) can suddenly collapse: within an
// epoch the model becomes robust to FGSM only, its PGD accuracy falls to
// about zero while FGSM accuracy rises (Wong, Rice & Kolter 2020). The guard
// is a Trainer epoch hook: after every epoch it measures PGD accuracy on a
// held-out slice, writes a line to the log, and on a collapse,
//
//   best_pgd - pgd_now > collapse_drop          (absolute accuracy),
//
// flags it, optionally stops training, and optionally restores the weights
// (and BatchNorm statistics) of the epoch with the best PGD accuracy.
#include <cstdint>
#include <memory>
#include <vector>

#include "advgrad/attacks/attack.h"
#include "advgrad/data/dataset.h"
#include "advgrad/nn/module.h"
#include "advgrad/training/trainer.h"

namespace advgrad::training {

struct OverfittingGuardOptions {
  double eps = 0.1;
  int steps = 10;
  double step_size = 0;        // 0: 2.5 eps / steps
  double collapse_drop = 0.2;  // PGD accuracy falling by more than this from its best = collapse
  bool stop = false;           // stop training on collapse
  bool rollback = false;       // restore the best-PGD weights on collapse (implies stop)
  std::uint64_t seed = 0;      // PGD random start
};

struct OverfittingGuardLog {
  std::vector<double> pgd_accuracy;  // one per epoch
  bool collapsed = false;
  std::int64_t collapse_epoch = 0;  // the first epoch that collapsed (1-based), 0: none
  std::int64_t best_epoch = 0;      // the epoch whose weights a rollback restores
  bool rolled_back = false;
};

void validate(const OverfittingGuardOptions& options);
// The PGD the guard measures with (random start, L-inf, [0, 1]).
attacks::AttackOptions guard_attack_options(const OverfittingGuardOptions& options);
// `model` must outlive the hook; the holdout is copied.
Trainer::EpochHook overfitting_guard(nn::Module& model, const data::Dataset& holdout,
                                     const OverfittingGuardOptions& options, std::shared_ptr<OverfittingGuardLog> log);

}  // namespace advgrad::training
