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
// Parameter groups (as torch.optim's param_groups): the parameters come in
// groups, each with its own learning rate and weight decay (unset: the
// optimizer's). Transfer learning trains a pretrained backbone at a smaller
// rate than a new head. set_lr(lr) sets the base rate and scales every group
// with it, keeping the ratios fixed at construction (group lr / base lr), which
// is what a schedule wants (PyTorch's schedulers multiply each group's base
// rate by the same factor); set_group_lr(k, lr) sets one group's rate.
//
// State (buffers, the step count, the base rate and each group's rate, scale
// and weight decay) is saved and restored with state_dict()/load_state_dict(),
// keyed "<index>.<buffer>" by parameter position (the index runs over all
// groups in order) and "group.<k>.<lr|lr_scale|weight_decay|size>". A state
// without group keys (written before groups existed) loads into a one-group
// optimizer as before: its "lr" becomes the base rate.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "advgrad/core/ops/ops.h"
#include "advgrad/core/tensor.h"

namespace advgrad::nn {

using OptimizerState = std::map<std::string, Tensor>;

// One group of parameters and its hyper-parameters; a negative value means
// the optimizer's own (its options' lr or weight_decay).
struct ParamGroup {
  std::vector<Tensor> params;
  double lr = -1;
  double weight_decay = -1;
};

class Optimizer {
 public:
  // One group holding every parameter.
  Optimizer(std::vector<Tensor> params, double lr, double weight_decay = 0);
  // Groups in order; none may be empty, and a parameter may be in one group only.
  Optimizer(std::vector<ParamGroup> groups, double lr, double weight_decay);
  virtual ~Optimizer() = default;

  void step();
  void zero_grad();
  // The base rate (the options' lr, or what set_lr set last).
  double lr() const { return lr_; }
  // Sets the base rate; group k's rate becomes lr * group_lr_scale(k).
  void set_lr(double lr);
  std::size_t num_groups() const { return groups_.size(); }
  double group_lr(std::size_t k) const;
  double group_lr_scale(std::size_t k) const;
  double group_weight_decay(std::size_t k) const;
  // Sets group k's rate alone (its scale becomes lr / base rate when the base rate is > 0).
  void set_group_lr(std::size_t k, double lr);
  std::int64_t steps_taken() const { return step_; }
  // Every parameter, the groups in order.
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
  // The rate and weight decay of parameter i's group.
  double lr_of(std::size_t i) const { return groups_[group_of_[i]].lr; }
  double weight_decay_of(std::size_t i) const { return groups_[group_of_[i]].weight_decay; }

  std::vector<Tensor> params_;
  double lr_;
  std::int64_t step_ = 0;  // steps taken, including the current one during update()

 private:
  struct Group {
    std::size_t size = 0;
    double lr = 0, lr_scale = 1, weight_decay = 0;
  };
  std::vector<Group> groups_;
  std::vector<std::size_t> group_of_;  // parameter index -> group
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
  Sgd(std::vector<ParamGroup> groups, SgdOptions o);
  std::string name() const override { return o_.nesterov ? "nesterov" : (o_.momentum > 0 ? "sgd-momentum" : "sgd"); }

 protected:
  void update(std::size_t i, Tensor& p, const Tensor& g) override;

 private:
  SgdOptions o_;
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, AdamOptions o);
  Adam(std::vector<ParamGroup> groups, AdamOptions o);
  std::string name() const override { return o_.decoupled ? "adamw" : "adam"; }

 protected:
  void update(std::size_t i, Tensor& p, const Tensor& g) override;

 private:
  AdamOptions o_;
};

class Rmsprop : public Optimizer {
 public:
  Rmsprop(std::vector<Tensor> params, RmspropOptions o);
  Rmsprop(std::vector<ParamGroup> groups, RmspropOptions o);
  std::string name() const override { return "rmsprop"; }

 protected:
  void update(std::size_t i, Tensor& p, const Tensor& g) override;

 private:
  RmspropOptions o_;
};

class Adagrad : public Optimizer {
 public:
  Adagrad(std::vector<Tensor> params, AdagradOptions o);
  Adagrad(std::vector<ParamGroup> groups, AdagradOptions o);
  std::string name() const override { return "adagrad"; }

 protected:
  void update(std::size_t i, Tensor& p, const Tensor& g) override;

 private:
  AdagradOptions o_;
};

class Adadelta : public Optimizer {
 public:
  Adadelta(std::vector<Tensor> params, AdadeltaOptions o);
  Adadelta(std::vector<ParamGroup> groups, AdadeltaOptions o);
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
// The same with parameter groups (their unset lr / weight decay: lr, weight_decay).
std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<ParamGroup> groups, double lr,
                                          double weight_decay);
// The rate make_optimizer uses for `name` when given lr <= 0.
double default_lr(const std::string& name);
const std::vector<std::string>& optimizer_names();

// Scales all gradients so their global L2 norm is at most max_norm; returns
// the norm before clipping.
double clip_grad_norm(const std::vector<Tensor>& params, double max_norm);

}  // namespace advgrad::nn
