#pragma once
// Structural modules: Sequential, Identity, Flatten, Residual and Normalize.
#include <memory>
#include <vector>

#include "advgrad/nn/module.h"

namespace advgrad::nn {

// Runs children in order; children are named "0", "1", ...
class Sequential : public Module {
 public:
  Sequential() = default;
  explicit Sequential(std::vector<ModulePtr> modules);
  Sequential& add(ModulePtr module);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Sequential"; }
  std::size_t size() const { return modules_.size(); }
  const ModulePtr& operator[](std::size_t i) const { return modules_.at(i); }

 private:
  std::vector<ModulePtr> modules_;
};

class Identity : public Module {
 public:
  Tensor forward(const Tensor& x) override { return x; }
  std::string type_name() const override { return "Identity"; }
};

// [N, d1, d2, ...] -> [N, d1 * d2 * ...]
class Flatten : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Flatten"; }
};

// y = activation(body(x) + shortcut(x)); shortcut defaults to the identity.
class Residual : public Module {
 public:
  Residual(ModulePtr body, ModulePtr shortcut, ModulePtr activation);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Residual"; }

 private:
  ModulePtr body_, shortcut_, activation_;
};

// Per-channel input normalisation (x - mean) / std as the model's first layer,
// so attacks and eps live in pixel space. mean/std are buffers (saved).
class Normalize : public Module {
 public:
  Normalize(const std::vector<double>& mean, const std::vector<double>& stddev);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Normalize"; }
  std::string extra_repr() const override;

  Tensor mean, stddev;
};

}  // namespace advgrad::nn
