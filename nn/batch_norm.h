#pragma once
// BatchNorm1d ([N, C]) and BatchNorm2d ([N, C, H, W]): learnable scale/shift
// (weight = 1, bias = 0 at init) and running mean/variance buffers, updated in
// training mode with momentum (PyTorch semantics), used in eval mode.
#include "advgrad/nn/module.h"

namespace advgrad::nn {

class BatchNorm : public Module {
 public:
  BatchNorm(std::int64_t channels, int spatial_dims, double momentum = 0.1, double eps = 1e-5);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return spatial_dims_ == 0 ? "BatchNorm1d" : "BatchNorm2d"; }
  std::string extra_repr() const override;

  Tensor weight, bias, running_mean, running_var;

 private:
  std::int64_t channels_;
  int spatial_dims_;
  double momentum_, eps_;
};

inline std::shared_ptr<BatchNorm> BatchNorm1d(std::int64_t c) { return std::make_shared<BatchNorm>(c, 0); }
inline std::shared_ptr<BatchNorm> BatchNorm2d(std::int64_t c) { return std::make_shared<BatchNorm>(c, 2); }

}  // namespace advgrad::nn
