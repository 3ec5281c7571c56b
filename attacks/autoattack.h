#pragma once
// The AutoAttack ensemble's L-inf protocol (Croce & Hein, ICML 2020): the
// attacks run one after another, each on the examples every earlier one left
// correctly classified, and an example counts as robust only if all of them
// failed: the worst case per example. The order is the paper's standard one,
//   APGD-CE (no restarts) -> APGD-T (9 target classes) -> FAB-T (9 target
//   classes, fab.h) -> Square (5,000 queries).
// FAB-T is a minimal-norm attack: it breaks an example only when the closest
// misclassified point it found lies within eps. Square reads only logits, so
// the ensemble also catches models whose gradients are masked.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "advgrad/attacks/attack.h"

namespace advgrad::attacks {

struct AutoAttackOptions {
  double eps = 0.1;
  int apgd_steps = 100;      // per APGD run and per FAB-T run (AutoAttack uses 100 for both)
  int target_classes = 9;    // APGD-T's and FAB-T's runs (at most classes - 1)
  int square_queries = 5000;
  double lo = 0.0, hi = 1.0;
};

struct AutoAttackStage {
  std::string attack;        // "clean", "apgd-ce", "apgd-t", "fab-t", "square"
  std::int64_t robust = 0;   // examples still correctly classified after it
  double seconds = 0;
};

struct AutoAttackResult {
  AttackResult result;                  // the worst case per example; success = misclassified, loss = margin
  Tensor broken_by;                     // [N] int64: index into stages of the first that broke it; -1 robust
  std::vector<AutoAttackStage> stages;  // in order, "clean" (the unattacked accuracy) first
  double robust_accuracy() const;       // robust / N after the last stage
};

// `progress` (attack.h) is told each member's name and the examples it attacks.
AutoAttackResult autoattack(nn::Module& model, const Tensor& x, const Tensor& y, const AutoAttackOptions& options,
                            Generator& gen, const AttackProgress& progress = {});

}  // namespace advgrad::attacks
