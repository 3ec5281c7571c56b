#pragma once
// AdvProp (Xie et al. 2020, "Adversarial Examples Improve Image Recognition"):
// adversarial examples as extra training data for *clean* accuracy, with an
// auxiliary BatchNorm for them, so the two distributions keep separate
// normalisation statistics:
//
//   x_adv = attack(f_aux, x, y)                     (through the auxiliary BNs)
//   L     = CE(f_main(x), y) + CE(f_aux(x_adv), y)  (the paper's sum, eq. 3)
//
// f_main / f_aux are the same network with every DualBatchNorm routed to its
// main / auxiliary BN (nn/dual_batch_norm.h); the model must be built with
// ModelConfig::dual_batch_norm. The attack runs in eval mode (as every attack
// here), so it uses the auxiliary running statistics. After the step the
// route is back on Main, so evaluation, attacks and saved models use the main BN.
#include "advgrad/training/adversarial_training.h"
#include "advgrad/training/trainer.h"

namespace advgrad::training {

// The `mix` and `adversarial_weight` of `attack` are not used (AdvProp's loss
// is the sum above); the model must contain DualBatchNorm layers, else the
// step throws advgrad::Error.
Trainer::StepLoss advprop_loss(const OnlineAdversarialOptions& attack);

}  // namespace advgrad::training
