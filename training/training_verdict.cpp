#include "advgrad/training/training_verdict.h"

#include <cmath>
#include <sstream>

#include "advgrad/core/error.h"
#include "advgrad/eval/interval.h"

namespace advgrad::training {

TrainingVerdict judge_training(const FitResult& fit, double clean_accuracy, std::int64_t test_count,
                               std::int64_t classes) {
  ADVGRAD_CHECK(classes >= 2, "judge_training: need at least 2 classes, got ", classes);
  const double chance = 1.0 / static_cast<double>(classes);
  const eval::Interval ci = eval::accuracy_interval(clean_accuracy, test_count);
  TrainingVerdict v;
  v.failed = ci.contains(chance) || ci.hi < chance;
  if (!v.failed) return v;
  std::ostringstream cause;
  // Cross-entropy of a uniform guess is ln(classes): a training loss that
  // never left it means the optimizer did not move the network.
  const double uniform_loss = std::log(static_cast<double>(classes));
  if (fit.history.empty()) {
    cause << "no training history was recorded, so the model was likely never trained (or loaded from a file "
             "of another data set)";
  } else if (const EpochStats& last = fit.history.back(); last.train_loss >= 0.95 * uniform_loss) {
    cause.precision(3);
    cause << "the training loss ended at " << last.train_loss << " after " << last.epoch
          << " epoch(s), no better than the " << uniform_loss << " = ln(" << classes
          << ") of a uniform guess: the optimizer did not move the network (a learning rate too small or too "
             "large for this activation, or too few steps on this budget)";
  } else if (last.train_accuracy > chance + 0.2) {
    cause << "it learned its training images (" << std::lround(100 * last.train_accuracy)
          << "% correct) but not the test images: the training set is too small or the test set is different";
  } else {
    cause << "the training loss fell (to " << last.train_loss << ") but accuracy stayed at chance: the training "
          << "loss is not the clean error (an adversarial or regularised objective dominating on this budget)";
  }
  v.cause = cause.str();
  return v;
}

}  // namespace advgrad::training
