#pragma once
// Natural adversarial examples (after Hendrycks et al. 2021, "Natural
// Adversarial Examples"): unmodified test images that the model gets wrong
// *with high confidence*. No attack made them; they show where the model's
// features are brittle on the data itself. Here they are mined from any
// Dataset: every example whose prediction argmax_k p_k differs from its label
// while p_max = softmax(z)_pred >= min_confidence, most confident first.
#include <cstdint>
#include <string>
#include <vector>

#include "advgrad/data/dataset.h"
#include "advgrad/nn/module.h"

namespace advgrad::eval {

struct NaturalAdversarial {
  std::int64_t index = 0;      // position in the data set
  std::int64_t label = 0;      // the true class
  std::int64_t predicted = 0;  // the model's (wrong) class
  double confidence = 0;       // softmax probability of `predicted`
};

// Runs `model` in eval mode without a graph over `data` (batches of
// batch_size) and returns the confidently wrong examples sorted by confidence,
// highest first (ties: lower index first), at most max_count of them (0 = all).
// Throws advgrad::Error naming mine_natural_adversarials for an empty data set,
// min_confidence outside (0, 1], a negative max_count or batch_size < 1.
std::vector<NaturalAdversarial> mine_natural_adversarials(nn::Module& model, const data::Dataset& data,
                                                          double min_confidence = 0.9, std::int64_t max_count = 16,
                                                          std::int64_t batch_size = 500);

}  // namespace advgrad::eval
