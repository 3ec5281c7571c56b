#pragma once
// Conv2d over NCHW input; weight [out, in/groups, kh, kw]. PyTorch's default
// init: uniform in +-1/sqrt(fan_in) for weight and bias.
#include "advgrad/core/generator.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/nn/module.h"

namespace advgrad::nn {

class Conv2d : public Module {
 public:
  Conv2d(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel_size, Generator& gen,
         Conv2dOptions options = {}, bool bias = true);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Conv2d"; }
  std::string extra_repr() const override;
  const Conv2dOptions& options() const { return options_; }

  Tensor weight, bias;

 private:
  std::int64_t in_, out_, kernel_;
  Conv2dOptions options_;
};

}  // namespace advgrad::nn
