#include "advgrad/nn/activation.h"

#include "advgrad/core/ops/ops.h"

namespace advgrad::nn {
namespace {
enum Kind { kRelu, kLeakyRelu, kElu, kGelu, kGeluTanh, kSilu, kSoftplus, kTanh, kSigmoid, kRelu6 };

int kind_of(const std::string& name) {
  const auto& names = activation_names();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<int>(i);
  if (name == "swish") return kSilu;
  std::string all;
  for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
  detail::fail("activation: unknown name '", name, "' (expected one of ", all, ", swish)");
}

Tensor apply(int kind, const Tensor& x) {
  switch (kind) {
    case kRelu: return relu(x);
    case kLeakyRelu: return leaky_relu(x, 0.01);
    case kElu: return elu(x, 1.0);
    case kGelu: return gelu(x, false);
    case kGeluTanh: return gelu(x, true);
    case kSilu: return silu(x);
    case kSoftplus: return softplus(x, 1.0, 20.0);
    case kTanh: return tanh(x);
    case kRelu6:
      return relu6(x);
    default: return sigmoid(x);
  }
}
}  // namespace

const std::vector<std::string>& activation_names() {
  static const std::vector<std::string> names{"relu", "leaky_relu", "elu",  "gelu",    "gelu_tanh",
                                              "silu", "softplus",   "tanh", "sigmoid", "relu6"};
  return names;
}

Activation::Activation(const std::string& name) : name_(name), kind_(kind_of(name)) {}
Tensor Activation::forward(const Tensor& x) { return apply(kind_, x); }
Tensor activate(const std::string& name, const Tensor& x) { return apply(kind_of(name), x); }

}  // namespace advgrad::nn
