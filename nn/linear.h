#pragma once
// Linear: y = x W^T + b, W [out, in]. Init as PyTorch's default: W and b
// uniform in +-1/sqrt(in) (kaiming_uniform with a = sqrt(5)).
#include "advgrad/core/generator.h"
#include "advgrad/nn/module.h"

namespace advgrad::nn {

class Linear : public Module {
 public:
  Linear(std::int64_t in_features, std::int64_t out_features, Generator& gen, bool bias = true);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Linear"; }
  std::string extra_repr() const override;

  Tensor weight, bias;

 private:
  std::int64_t in_, out_;
};

}  // namespace advgrad::nn
