#include "advgrad/eval/evaluate.h"

#include <algorithm>

#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad::eval {

EvalResult evaluate(nn::Module& model, const data::Dataset& data, std::int64_t batch_size) {
  ADVGRAD_CHECK(batch_size >= 1, "evaluate: batch size must be >= 1");
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  EvalResult r;
  r.confusion.assign(static_cast<std::size_t>(data.classes), std::vector<std::int64_t>(data.classes, 0));
  double loss_sum = 0;
  std::int64_t correct = 0;
  const Device device = model.device();  // data sets live on the host; each batch goes to the model
  for (std::int64_t start = 0; start < data.size(); start += batch_size) {
    std::vector<std::int64_t> idx;
    for (std::int64_t i = start; i < std::min(data.size(), start + batch_size); ++i) idx.push_back(i);
    Tensor logits = model(data.images_tensor(idx).to(device));
    Tensor labels = data.labels_tensor(idx).to(device);
    loss_sum += cross_entropy(logits, labels, Reduction::Sum).item();
    const auto pred = argmax(logits, 1).to_int_vector();
    for (std::size_t k = 0; k < idx.size(); ++k) {
      const std::int64_t y = data.labels[idx[k]];
      correct += pred[k] == y;
      if (pred[k] >= 0 && pred[k] < data.classes) r.confusion[y][pred[k]]++;
    }
  }
  model.train(was_training);
  r.count = data.size();
  r.accuracy = r.count ? static_cast<double>(correct) / static_cast<double>(r.count) : 0;
  r.loss = r.count ? loss_sum / static_cast<double>(r.count) : 0;
  return r;
}

}  // namespace advgrad::eval
