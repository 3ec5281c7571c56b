#pragma once
// Freezing part of a network (transfer learning): the frozen parameters are
// not trained (requires_grad false, so backward does not even reach them, and
// they are left out of the optimizer) and the frozen part computes as in eval
// mode even while the rest trains: its BatchNorm layers normalise with, and
// keep, their running statistics (a frozen feature extractor must not drift
// with the new data's batch statistics), and its drop connect is off.
//
//   auto net = std::make_shared<nn::PartlyFrozen>(model, {"_fc."}, {});  // train the head only
//   net->train();   // _fc trains; every module whose parameters are all frozen stays in eval
//   auto opt = nn::make_optimizer("adam", nn::trainable_groups(*net, lr, 0.1), lr, 0);
//
// PartlyFrozen adopts the inner model's children under their own names, so
// its parameters, state dict and model file are the inner model's: a trained
// PartlyFrozen loads back into the plain architecture (nn/model_io.h).
#include <string>
#include <vector>

#include "advgrad/nn/module.h"
#include "advgrad/nn/optimizer.h"

namespace advgrad::nn {

class PartlyFrozen : public Module {
 public:
  // `head` and `trainable` are prefixes of state-dict names ("_fc.", "_blocks.15."; "" matches
  // everything). A parameter trains when its name starts with one of either list; all others
  // are frozen. The head is what trainable_groups() gives the full rate. The inner model must
  // hold its tensors in child modules (not directly), and `head` must match a parameter.
  PartlyFrozen(ModulePtr inner, std::vector<std::string> head, std::vector<std::string> trainable);

  // Re-applies requires_grad = false to the frozen parameters (Module::to makes every parameter
  // require grad again), then runs the inner model.
  Tensor forward(const Tensor& x) override;
  // inner.train(on), then every module whose parameters are all frozen back to eval.
  void train(bool on = true) override;
  std::string type_name() const override { return "PartlyFrozen(" + inner_->type_name() + ")"; }
  std::string extra_repr() const override;

  bool is_frozen(const std::string& parameter_name) const;
  bool is_head(const std::string& parameter_name) const;
  void refreeze();
  const ModulePtr& inner() const { return inner_; }

 private:
  ModulePtr inner_;
  std::vector<std::string> head_, trainable_;
};

// The optimizer's groups for `model`: for a PartlyFrozen, the head at `lr` (group 0) and the
// trainable rest of the network at lr * backbone_lr_scale (group 1, when there is one), the
// frozen parameters in neither (refreeze() first); for any other model, one group of all
// parameters at lr. backbone_lr_scale must be in (0, 1].
std::vector<ParamGroup> trainable_groups(Module& model, double lr, double backbone_lr_scale);

}  // namespace advgrad::nn
