#pragma once
// DualBatchNorm: two BatchNorms over the same channels, a main one and an
// auxiliary one, and a route that says which of them a forward pass uses.
// AdvProp (Xie et al. 2020) normalises clean examples with the main BN and
// adversarial examples with the auxiliary BN, because the two come from
// different distributions and mixing their statistics hurts clean accuracy;
// evaluation uses the main BN. Each BN has its own scale/shift parameters and
// running statistics ("main.*" and "aux.*" in the state dict); everything
// else in the network is shared.
#include <memory>

#include "advgrad/nn/batch_norm.h"
#include "advgrad/nn/module.h"

namespace advgrad::nn {

enum class BatchNormRoute { Main, Auxiliary };

class DualBatchNorm : public Module {
 public:
  // momentum and eps as BatchNorm's, for both (EfficientNet's BNs use TensorFlow's 0.01 and 1e-3).
  DualBatchNorm(std::int64_t channels, int spatial_dims, double momentum = 0.1, double eps = 1e-5);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "DualBatchNorm"; }
  std::string extra_repr() const override;

  void set_route(BatchNormRoute route) { route_ = route; }
  BatchNormRoute route() const { return route_; }
  BatchNorm& main() { return *main_; }
  BatchNorm& auxiliary() { return *aux_; }

 private:
  std::shared_ptr<BatchNorm> main_, aux_;
  BatchNormRoute route_ = BatchNormRoute::Main;
};

inline std::shared_ptr<DualBatchNorm> DualBatchNorm1d(std::int64_t c) { return std::make_shared<DualBatchNorm>(c, 0); }
inline std::shared_ptr<DualBatchNorm> DualBatchNorm2d(std::int64_t c) { return std::make_shared<DualBatchNorm>(c, 2); }

// Switches every DualBatchNorm in `model`; returns how many there are.
std::int64_t set_batch_norm_route(Module& model, BatchNormRoute route);

// Routes a model's DualBatchNorms for a scope and puts them back on Main at
// its end (also when an exception leaves the scope).
class BatchNormRouteGuard {
 public:
  BatchNormRouteGuard(Module& model, BatchNormRoute route) : model_(model) { set_batch_norm_route(model, route); }
  ~BatchNormRouteGuard() { set_batch_norm_route(model_, BatchNormRoute::Main); }
  BatchNormRouteGuard(const BatchNormRouteGuard&) = delete;
  BatchNormRouteGuard& operator=(const BatchNormRouteGuard&) = delete;

 private:
  Module& model_;
};

}  // namespace advgrad::nn
