#pragma once
// Clean evaluation of a classifier: accuracy, mean cross-entropy and the
// confusion matrix over a data set. Robust accuracy is eval/robust_eval.h.
#include <cstdint>
#include <vector>

#include "advgrad/data/dataset.h"
#include "advgrad/nn/module.h"

namespace advgrad::eval {

struct EvalResult {
  double accuracy = 0, loss = 0;
  std::int64_t count = 0;
  std::vector<std::vector<std::int64_t>> confusion;  // [true][predicted]
};

// Accuracy, mean cross-entropy and the confusion matrix, in eval mode, no graph.
EvalResult evaluate(nn::Module& model, const data::Dataset& data, std::int64_t batch_size = 500);

}  // namespace advgrad::eval
