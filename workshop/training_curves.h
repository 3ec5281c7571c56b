#pragma once
// The training curves of the workshop's models: per epoch, from the history
// each result row keeps (experiment.h, RobustRow::history).
#include <string>
#include <vector>

#include "advgrad/report/figure.h"
#include "advgrad/workshop/experiment.h"

namespace advgrad::workshop {

// One model: its training and test accuracy per epoch (the test one with its
// 95% band) and, for adversarial training with the overfitting guard, the
// guard's PGD accuracy on held-out training images.
report::Figure accuracy_curves(const RobustRow& row, const std::string& title);
// One model: training and test loss per epoch. The training loss is the
// recipe's own objective (clean cross-entropy for standard training, the
// adversarial loss for adversarial training); the test loss is always clean.
report::Figure loss_curves(const RobustRow& row, const std::string& title);
// Several models: test accuracy per epoch, one series each; failed trainings
// and rows without a history are left out.
report::Figure test_accuracy_curves(const std::vector<RobustRow>& rows, const std::string& title);

// The guard's PGD accuracy per epoch recorded with a row (empty when none).
std::vector<double> guard_pgd_accuracy(const RobustRow& row);

}  // namespace advgrad::workshop
