#include "advgrad/nn/linear.h"

#include <cmath>

#include "advgrad/core/ops/ops.h"
#include "advgrad/nn/init.h"

namespace advgrad::nn {

Linear::Linear(std::int64_t in_features, std::int64_t out_features, Generator& gen, bool with_bias)
    : in_(in_features), out_(out_features) {
  ADVGRAD_CHECK(in_features > 0 && out_features > 0, "Linear: features must be positive, got in=", in_features,
                " out=", out_features);
  const double bound = 1.0 / std::sqrt(static_cast<double>(in_features));
  register_parameter("weight", weight, uniform({out_features, in_features}, -bound, bound, gen));
  if (with_bias) register_parameter("bias", bias, uniform({out_features}, -bound, bound, gen));
}

Tensor Linear::forward(const Tensor& x) {
  ADVGRAD_CHECK(x.dim() >= 1 && x.size(-1) == in_, "Linear: expected input [..., ", in_, "], got ", shape_str(x.shape()));
  return linear(x, weight, bias);
}

std::string Linear::extra_repr() const {
  return "in=" + std::to_string(in_) + ", out=" + std::to_string(out_) + (bias.defined() ? "" : ", bias=false");
}

}  // namespace advgrad::nn
