#include "advgrad/eval/natural_adversarial.h"

#include <algorithm>
#include <cmath>

#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad::eval {
std::vector<NaturalAdversarial> mine_natural_adversarials(nn::Module& model, const data::Dataset& data,
                                                          double min_confidence, std::int64_t max_count,
                                                          std::int64_t batch_size) {
  const char* who = "mine_natural_adversarials";
  ADVGRAD_CHECK(data.size() > 0, who, ": data set '", data.name, "' is empty");
  ADVGRAD_CHECK(min_confidence > 0 && min_confidence <= 1, who, ": min_confidence must be in (0, 1], got ",
                min_confidence);
  ADVGRAD_CHECK(max_count >= 0, who, ": max_count must be >= 0 (0 = all), got ", max_count);
  ADVGRAD_CHECK(batch_size >= 1, who, ": batch_size must be >= 1, got ", batch_size);
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  std::vector<NaturalAdversarial> found;
  for (std::int64_t start = 0; start < data.size(); start += batch_size) {
    std::vector<std::int64_t> idx;
    for (std::int64_t i = start; i < std::min(data.size(), start + batch_size); ++i) idx.push_back(i);
    // The confidence of the prediction is its softmax probability, max_k p_k.
    const ValuesIndices top = max(softmax(model(data.images_tensor(idx)), 1), 1);
    const std::vector<double> p = top.values.to_double_vector();
    const std::vector<std::int64_t> pred = top.indices.to_int_vector();
    for (std::size_t k = 0; k < idx.size(); ++k) {
      const std::int64_t y = data.labels[idx[k]];
      if (pred[k] != y && p[k] >= min_confidence) found.push_back({idx[k], y, pred[k], p[k]});
    }
  }
  model.train(was_training);
  std::stable_sort(found.begin(), found.end(),
                   [](const NaturalAdversarial& a, const NaturalAdversarial& b) { return a.confidence > b.confidence; });
  if (max_count > 0 && static_cast<std::int64_t>(found.size()) > max_count) found.resize(static_cast<std::size_t>(max_count));
  return found;
}

}  // namespace advgrad::eval
