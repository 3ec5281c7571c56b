#include "advgrad/nn/dual_batch_norm.h"

namespace advgrad::nn {

DualBatchNorm::DualBatchNorm(std::int64_t channels, int spatial_dims, double momentum, double eps)
    : main_(std::make_shared<BatchNorm>(channels, spatial_dims, momentum, eps)),
      aux_(std::make_shared<BatchNorm>(channels, spatial_dims, momentum, eps)) {
  register_module("main", main_);
  register_module("aux", aux_);
}

Tensor DualBatchNorm::forward(const Tensor& x) {
  return route_ == BatchNormRoute::Main ? main_->forward(x) : aux_->forward(x);
}

std::string DualBatchNorm::extra_repr() const {
  return main_->extra_repr() + (route_ == BatchNormRoute::Main ? ", route=main" : ", route=aux");
}

std::int64_t set_batch_norm_route(Module& model, BatchNormRoute route) {
  std::int64_t n = 0;
  for (auto& [name, m] : model.named_modules())
    if (auto* d = dynamic_cast<DualBatchNorm*>(m)) {
      d->set_route(route);
      ++n;
    }
  return n;
}

}  // namespace advgrad::nn
