#include "advgrad/nn/freeze.h"

#include <algorithm>
#include <cmath>

#include "advgrad/core/error.h"

namespace advgrad::nn {
namespace {
bool starts_with_any(const std::string& name, const std::vector<std::string>& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) { return name.rfind(p, 0) == 0; });
}
}  // namespace

PartlyFrozen::PartlyFrozen(ModulePtr inner, std::vector<std::string> head, std::vector<std::string> trainable)
    : inner_(std::move(inner)), head_(std::move(head)), trainable_(std::move(trainable)) {
  ADVGRAD_CHECK(inner_ != nullptr, "PartlyFrozen: no model given");
  ADVGRAD_CHECK(!head_.empty(), "PartlyFrozen: no head given (the prefix of the new classifier's names, e.g. '_fc.')");
  for (const auto& [name, t] : inner_->named_parameters())
    ADVGRAD_CHECK(name.find('.') != std::string::npos, "PartlyFrozen: ", inner_->type_name(),
                  " holds parameter '", name, "' itself, not in a child module");
  for (const auto& [name, t] : inner_->named_buffers())
    ADVGRAD_CHECK(name.find('.') != std::string::npos, "PartlyFrozen: ", inner_->type_name(), " holds buffer '", name,
                  "' itself, not in a child module");
  for (const auto& [name, child] : inner_->named_children()) add_child(name, child);
  bool any_head = false;
  for (const auto& [name, t] : named_parameters()) any_head = any_head || is_head(name);
  ADVGRAD_CHECK(any_head, "PartlyFrozen: no parameter of ", inner_->type_name(), " starts with the head prefix '",
                head_.front(), "'");
  refreeze();
  train(is_training());
}

bool PartlyFrozen::is_head(const std::string& name) const { return starts_with_any(name, head_); }

bool PartlyFrozen::is_frozen(const std::string& name) const {
  return !is_head(name) && !starts_with_any(name, trainable_);
}

void PartlyFrozen::refreeze() {
  for (auto& [name, t] : named_parameters()) {
    if (!is_frozen(name)) continue;
    if (t.requires_grad()) t.requires_grad_(false);
  }
}

Tensor PartlyFrozen::forward(const Tensor& x) {
  refreeze();
  return inner_->forward(x);
}

void PartlyFrozen::train(bool on) {
  Module::train(on);
  inner_->train(on);
  if (!on) return;
  // A module is frozen when it has parameters and all of them are; its children then are too.
  for (auto& [name, module] : inner_->named_modules()) {
    const auto params = module->named_parameters();
    if (params.empty() || name.empty()) continue;
    const bool frozen = std::all_of(params.begin(), params.end(),
                                    [&](const auto& p) { return is_frozen(name + "." + p.first); });
    if (frozen && module->is_training()) module->train(false);
  }
}

std::string PartlyFrozen::extra_repr() const {
  std::int64_t frozen = 0, total = 0;
  for (const auto& [name, t] : named_parameters()) {
    total += t.numel();
    if (is_frozen(name)) frozen += t.numel();
  }
  return std::to_string(frozen) + " of " + std::to_string(total) + " parameters frozen";
}

std::vector<ParamGroup> trainable_groups(Module& model, double lr, double backbone_lr_scale) {
  ADVGRAD_CHECK(lr > 0 && std::isfinite(lr), "trainable_groups: lr must be > 0, got ", lr);
  ADVGRAD_CHECK(backbone_lr_scale > 0 && backbone_lr_scale <= 1, "trainable_groups: backbone_lr_scale must be in (0, 1], got ",
                backbone_lr_scale);
  auto* frozen = dynamic_cast<PartlyFrozen*>(&model);
  if (frozen == nullptr) return {ParamGroup{.params = model.parameters(), .lr = lr}};
  frozen->refreeze();
  ParamGroup head{.params = {}, .lr = lr}, backbone{.params = {}, .lr = lr * backbone_lr_scale};
  for (const auto& [name, t] : frozen->named_parameters()) {
    if (frozen->is_head(name)) head.params.push_back(t);
    else if (!frozen->is_frozen(name)) backbone.params.push_back(t);
  }
  std::vector<ParamGroup> groups{head};
  if (!backbone.params.empty()) groups.push_back(backbone);
  return groups;
}

}  // namespace advgrad::nn
