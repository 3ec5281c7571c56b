#include "advgrad/nn/batch_norm.h"

#include "advgrad/core/ops/ops.h"

namespace advgrad::nn {

BatchNorm::BatchNorm(std::int64_t channels, int spatial_dims, double momentum, double eps)
    : channels_(channels), spatial_dims_(spatial_dims), momentum_(momentum), eps_(eps) {
  ADVGRAD_CHECK(channels > 0, "BatchNorm: channels must be positive, got ", channels);
  ADVGRAD_CHECK(momentum >= 0 && momentum <= 1 && eps > 0, "BatchNorm: need 0 <= momentum <= 1 and eps > 0");
  register_parameter("weight", weight, ones({channels}));
  register_parameter("bias", bias, zeros({channels}));
  register_buffer("running_mean", running_mean, zeros({channels}));
  register_buffer("running_var", running_var, ones({channels}));
}

Tensor BatchNorm::forward(const Tensor& x) {
  ADVGRAD_CHECK(x.dim() == 2 + spatial_dims_, type_name(), ": expected input with ", 2 + spatial_dims_, " dims, got ",
                shape_str(x.shape()));
  return batch_norm(x, weight, bias, running_mean, running_var, is_training(), momentum_, eps_);
}

std::string BatchNorm::extra_repr() const { return std::to_string(channels_); }

}  // namespace advgrad::nn
