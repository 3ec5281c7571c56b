#include "advgrad/nn/containers.h"

#include <sstream>

#include "advgrad/core/ops/ops.h"

namespace advgrad::nn {

Sequential::Sequential(std::vector<ModulePtr> modules) {
  for (auto& m : modules) add(std::move(m));
}

Sequential& Sequential::add(ModulePtr module) {
  register_module(std::to_string(modules_.size()), module);
  modules_.push_back(std::move(module));
  return *this;
}

Tensor Sequential::forward(const Tensor& x) {
  Tensor h = x;
  for (auto& m : modules_) h = m->forward(h);
  return h;
}

Tensor Flatten::forward(const Tensor& x) {
  ADVGRAD_CHECK(x.dim() >= 1, "Flatten: expected a batch with a leading dim, got shape ", shape_str(x.shape()));
  return x.dim() == 1 ? x.reshape({x.size(0), 1}) : x.flatten(1);
}

Residual::Residual(ModulePtr body, ModulePtr shortcut, ModulePtr activation)
    : body_(std::move(body)), shortcut_(std::move(shortcut)), activation_(std::move(activation)) {
  register_module("body", body_);
  if (shortcut_) register_module("shortcut", shortcut_);
  if (activation_) register_module("activation", activation_);
}

Tensor Residual::forward(const Tensor& x) {
  Tensor y = add(body_->forward(x), shortcut_ ? shortcut_->forward(x) : x);
  return activation_ ? activation_->forward(y) : y;
}

Normalize::Normalize(const std::vector<double>& m, const std::vector<double>& s) {
  ADVGRAD_CHECK(!m.empty() && m.size() == s.size(), "Normalize: mean and std need the same, non-zero, length (got ",
                m.size(), " and ", s.size(), ")");
  for (double v : s) ADVGRAD_CHECK(v > 0, "Normalize: std must be positive, got ", v);
  const std::int64_t c = static_cast<std::int64_t>(m.size());
  register_buffer("mean", mean, from_vector(m, {1, c, 1, 1}));
  register_buffer("stddev", stddev, from_vector(s, {1, c, 1, 1}));
}

Tensor Normalize::forward(const Tensor& x) {
  ADVGRAD_CHECK(x.dim() == 4 && x.size(1) == mean.size(1), "Normalize: expected [N, ", mean.size(1),
                ", H, W], got ", shape_str(x.shape()));
  return div(sub(x, mean), stddev);
}

std::string Normalize::extra_repr() const {
  std::ostringstream os;
  os << "mean=" << shape_str(mean.shape());
  return os.str();
}

}  // namespace advgrad::nn
