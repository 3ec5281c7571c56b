#pragma once
// Optimizers. Each step() reads every parameter's .grad() and updates the
// parameter in place under NoGradGuard (parameters without a gradient are
// skipped, as in PyTorch). The formulas, with g = grad (+ weight_decay * p
// where the optimizer couples weight decay into the gradient):
//
//   SGD      b = mu b + (1 - dampening) g  (b = g at the first step)
//            d = g + mu b (Nesterov) or b;  p -= lr d
//   Adam     m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2
//            p -= lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
//   AdamW    p *= 1 - lr wd, then Adam with no coupled weight decay (Loshchilov & Hutter)
//   RMSprop  v = alpha v + (1-alpha) g^2;  p -= lr g / (sqrt(v) + eps)
//            (with momentum: b = mu b + g / (sqrt(v) + eps); p -= lr b)
//   Adagrad  s += g^2;  p -= lr g / (sqrt(s) + eps)
//   Adadelta v = rho v + (1-rho) g^2;  d = sqrt(u + eps) / sqrt(v + eps) g
//            u = rho u + (1-rho) d^2;  p -= lr d
//
// State (buffers and the step count) is saved and restored with
// state_dict()/load_state_dict(), keyed "<index>.<buffer>" by parameter position.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "advgrad/core/ops/ops.h"
#include "advgrad/core/tensor.h"

namespace advgrad::nn {

using OptimizerState = std::map<std::string, Tensor>;

class Optimizer {
 public:
  explicit Optimizer(std::vector<Tensor> params, double lr);
  virtual ~Optimizer() = default;

  void step();
  void zero_grad();
  double lr() const { return lr_; }
  void set_lr(double lr);
  std::int64_t steps_taken() const { return step_; }
  const std::vector<Tensor>& params() const { return params_; }
  virtual std::string name() const = 0;

  OptimizerState state_dict() const;
  void load_state_dict(const OptimizerState& state);  // checks keys and shapes

 protected:
  // Updates parameter i (its gradient g) in place; called under NoGradGuard.
  virtual void update(std::size_t i, Tensor& p, const Tensor& g) = 0;
  // The state buffer `name` of parameter i, created as zeros on first use.
  Tensor& buffer(std::size_t i, const std::string& name);
  bool has_buffer(std::size_t i, const std::string& name) const;

  std::vector<Tensor> params_;
  double lr_;
  std::int64_t step_ = 0;  // steps taken, including the current one during update()

 private:
  std::vector<std::map<std::string, Tensor>> state_;
};

// SGD's and Adam's options are the structs their fused kernels take
// (kernels/fused_params.h, through core/ops/ops.h): one vocabulary from here to
// the kernel. AdamOptions::decoupled = true is AdamW.
using advgrad::AdamOptions;
using advgrad::SgdOptions;
struct RmspropOptions {
  double lr = 0.01, alpha = 0.99, eps = 1e-8, weight_decay = 0, momentum = 0;
};
struct AdagradOptions {
  double lr = 0.01, eps = 1e-10, weight_decay = 0;
};
struct AdadeltaOptions {
  double lr = 1.0, rho = 0.9, eps = 1e-6, weight_decay = 0;
};

class Sgd : public Optimizer {
 public:
  Sgd(std::vector<Tensor> params, SgdOptions o);
  std::string name() const override { return o_.nesterov ? "nesterov" : (o_.momentum > 0 ? "sgd-momentum" : "sgd"); }

 protected:
  void update(std::size_t i, Tensor& p, const Tensor& g) override;

 private:
  SgdOptions o_;
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, AdamOptions o);
  std::string name() const override { return o_.decoupled ? "adamw" : "adam"; }

 protected:
  void update(std::size_t i, Tensor& p, const Tensor& g) override;

 private:
  AdamOptions o_;
};

class Rmsprop : public Optimizer {
 public:
  Rmsprop(std::vector<Tensor> params, RmspropOptions o);
  std::string name() const override { return "rmsprop"; }

 protected:
  void update(std::size_t i, Tensor& p, const Tensor& g) override;

 private:
  RmspropOptions o_;
};

class Adagrad : public Optimizer {
 public:
  Adagrad(std::vector<Tensor> params, AdagradOptions o);
  std::string name() const override { return "adagrad"; }

 protected:
  void update(std::size_t i, Tensor& p, const Tensor& g) override;

 private:
  AdagradOptions o_;
};

class Adadelta : public Optimizer {
 public:
  Adadelta(std::vector<Tensor> params, AdadeltaOptions o);
  std::string name() const override { return "adadelta"; }

 protected:
  void update(std::size_t i, Tensor& p, const Tensor& g) override;

 private:
  AdadeltaOptions o_;
};

// By name: sgd, sgd-momentum (0.9), nesterov (0.9), adam, adamw, rmsprop,
// adagrad, adadelta. lr <= 0 means the optimizer's default.
std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<Tensor> params, double lr = 0,
                                          double weight_decay = 0);
const std::vector<std::string>& optimizer_names();

// Scales all gradients so their global L2 norm is at most max_norm; returns
// the norm before clipping.
double clip_grad_norm(const std::vector<Tensor>& params, double max_norm);

}  // namespace advgrad::nn
