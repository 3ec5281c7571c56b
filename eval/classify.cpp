#include "advgrad/eval/classify.h"

#include <algorithm>
#include <numeric>

#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad::eval {

std::vector<Prediction> top_k(const Tensor& logits, const std::vector<std::string>& names, std::int64_t k) {
  ADVGRAD_CHECK(logits.dim() == 1 && k >= 1, "top_k: expected logits [C] and k >= 1, got ", shape_str(logits.shape()),
                " and k = ", k);
  ADVGRAD_CHECK(names.empty() || static_cast<std::int64_t>(names.size()) == logits.size(0), "top_k: ", names.size(),
                " class names for ", logits.size(0), " logits");
  const std::vector<double> p = softmax(logits.detach().to(Device::cpu()).to(DType::Float64), 0).to_double_vector();
  std::vector<std::int64_t> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  const auto kept = static_cast<std::ptrdiff_t>(std::min<std::size_t>(static_cast<std::size_t>(k), p.size()));
  std::partial_sort(order.begin(), order.begin() + kept, order.end(),
                    [&](std::int64_t a, std::int64_t b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
  std::vector<Prediction> top;
  for (std::ptrdiff_t i = 0; i < kept; ++i) {
    const std::int64_t c = order[static_cast<std::size_t>(i)];
    top.push_back({c, names.empty() ? std::to_string(c) : names[static_cast<std::size_t>(c)], p[c]});
  }
  return top;
}

std::vector<std::vector<Prediction>> classify(nn::Module& model, const Tensor& images,
                                              const std::vector<std::string>& names, std::int64_t k) {
  const bool was_training = model.is_training();
  model.eval();
  Tensor logits;
  {
    NoGradGuard no_grad;
    logits = model(images.to(model.device()));
  }
  model.train(was_training);
  std::vector<std::vector<Prediction>> all;
  for (std::int64_t i = 0; i < logits.size(0); ++i) all.push_back(top_k(logits.select(0, i), names, k));
  return all;
}

}  // namespace advgrad::eval
