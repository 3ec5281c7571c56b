#pragma once
// Did training work at all? A model whose test accuracy cannot be told apart
// from guessing (1 / classes) is a failed training, not a data point about
// robustness: a network at chance is "robust" only because it is wrong
// everywhere. The report names such a model a failed training, gives the
// likely cause, and leaves it out of its figures.
//
// The rule: the model failed when the 95% Wilson interval of its clean
// accuracy (eval/interval.h, over the n test images) contains the chance
// level 1 / classes, or lies below it.
#include <cstdint>
#include <string>

#include "advgrad/training/trainer.h"

namespace advgrad::training {

struct TrainingVerdict {
  bool failed = false;
  std::string cause;  // when failed: the likely cause, one sentence, from the training history
};

// `fit` is the run's history (may be empty: a model loaded from a file);
// clean_accuracy is measured on test_count images of `classes` classes.
// Throws advgrad::Error for classes < 2, test_count < 1 or an accuracy
// outside [0, 1].
TrainingVerdict judge_training(const FitResult& fit, double clean_accuracy, std::int64_t test_count,
                               std::int64_t classes);

}  // namespace advgrad::training
