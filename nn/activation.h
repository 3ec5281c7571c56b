#pragma once
// Activation modules, selectable by name so that a model's activation can be
// swapped (smooth adversarial training compares relu with gelu, silu, ...).
#include <string>
#include <vector>

#include "advgrad/nn/module.h"

namespace advgrad::nn {

class Activation : public Module {
 public:
  // name: relu, leaky_relu, elu, gelu, gelu_tanh, silu (= swish), softplus, tanh, sigmoid, relu6.
  explicit Activation(const std::string& name);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Activation"; }
  std::string extra_repr() const override { return name_; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  int kind_;
};

// The names Activation accepts.
const std::vector<std::string>& activation_names();
// A functional form of the same table.
Tensor activate(const std::string& name, const Tensor& x);

}  // namespace advgrad::nn
