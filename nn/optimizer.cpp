#include "advgrad/nn/optimizer.h"

#include <cmath>

#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad::nn {

namespace {
void check_rate(double lr, const char* what) {
  ADVGRAD_CHECK(lr >= 0 && std::isfinite(lr), "optimizer: ", what, " must be finite and >= 0, got ", lr);
}
}  // namespace

Optimizer::Optimizer(std::vector<Tensor> params, double lr, double weight_decay)
    : Optimizer(std::vector<ParamGroup>{ParamGroup{.params = std::move(params)}}, lr, weight_decay) {}

Optimizer::Optimizer(std::vector<ParamGroup> groups, double lr, double weight_decay) : lr_(lr) {
  check_rate(lr, "learning rate");
  check_rate(weight_decay, "weight decay");
  ADVGRAD_CHECK(!groups.empty(), "optimizer: got no parameter groups");
  for (std::size_t k = 0; k < groups.size(); ++k) {
    auto& g = groups[k];
    ADVGRAD_CHECK(!g.params.empty(), groups.size() == 1 ? std::string("optimizer: got an empty parameter list")
                                                        : "optimizer: parameter group " + std::to_string(k) + " is empty");
    Group group{.size = g.params.size(), .lr = g.lr < 0 ? lr : g.lr, .lr_scale = 1,
                .weight_decay = g.weight_decay < 0 ? weight_decay : g.weight_decay};
    check_rate(group.lr, "a group's learning rate");
    check_rate(group.weight_decay, "a group's weight decay");
    group.lr_scale = lr > 0 ? group.lr / lr : 1.0;
    groups_.push_back(group);
    for (auto& p : g.params) {
      params_.push_back(std::move(p));
      group_of_.push_back(k);
    }
  }
  std::map<const TensorImpl*, std::size_t> seen;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    ADVGRAD_CHECK(params_[i].defined() && params_[i].is_leaf() && params_[i].requires_grad(), "optimizer: parameter ",
                  i, " is not a leaf tensor that requires grad");
    const auto [at, fresh] = seen.emplace(params_[i].unsafe_impl(), i);
    ADVGRAD_CHECK(fresh, "optimizer: parameter ", i, " (group ", group_of_[i], ") is also parameter ", at->second,
                  " (group ", group_of_[at->second], "): a parameter belongs to one group");
  }
  state_.resize(params_.size());
}

void Optimizer::set_lr(double lr) {
  check_rate(lr, "learning rate");
  lr_ = lr;
  for (auto& g : groups_) g.lr = lr * g.lr_scale;
}

void Optimizer::set_group_lr(std::size_t k, double lr) {
  ADVGRAD_CHECK(k < groups_.size(), "optimizer set_group_lr: group ", k, " of ", groups_.size());
  check_rate(lr, "a group's learning rate");
  groups_[k].lr = lr;
  if (lr_ > 0) groups_[k].lr_scale = lr / lr_;
}

double Optimizer::group_lr(std::size_t k) const {
  ADVGRAD_CHECK(k < groups_.size(), "optimizer group_lr: group ", k, " of ", groups_.size());
  return groups_[k].lr;
}

double Optimizer::group_lr_scale(std::size_t k) const {
  ADVGRAD_CHECK(k < groups_.size(), "optimizer group_lr_scale: group ", k, " of ", groups_.size());
  return groups_[k].lr_scale;
}

double Optimizer::group_weight_decay(std::size_t k) const {
  ADVGRAD_CHECK(k < groups_.size(), "optimizer group_weight_decay: group ", k, " of ", groups_.size());
  return groups_[k].weight_decay;
}

void Optimizer::step() {
  NoGradGuard no_grad;
  ++step_;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    Tensor g = params_[i].grad();
    if (!g.defined()) continue;
    update(i, params_[i], g.detach());
  }
}

void Optimizer::zero_grad() {
  for (auto& p : params_) p.zero_grad();
}

Tensor& Optimizer::buffer(std::size_t i, const std::string& name) {
  auto& slot = state_[i][name];
  if (!slot.defined()) slot = zeros_like(params_[i]);
  return slot;
}

bool Optimizer::has_buffer(std::size_t i, const std::string& name) const { return state_[i].count(name) > 0; }

OptimizerState Optimizer::state_dict() const {
  OptimizerState out;
  out["step"] = scalar_tensor(static_cast<double>(step_), TensorOptions{DType::Int64});
  out["lr"] = scalar_tensor(lr_, TensorOptions{DType::Float64});
  for (std::size_t k = 0; k < groups_.size(); ++k) {
    const std::string g = "group." + std::to_string(k) + ".";
    out[g + "size"] = scalar_tensor(static_cast<double>(groups_[k].size), TensorOptions{DType::Int64});
    out[g + "lr"] = scalar_tensor(groups_[k].lr, TensorOptions{DType::Float64});
    out[g + "lr_scale"] = scalar_tensor(groups_[k].lr_scale, TensorOptions{DType::Float64});
    out[g + "weight_decay"] = scalar_tensor(groups_[k].weight_decay, TensorOptions{DType::Float64});
  }
  for (std::size_t i = 0; i < state_.size(); ++i)
    for (const auto& [name, t] : state_[i]) out[std::to_string(i) + "." + name] = t.clone();
  return out;
}

void Optimizer::load_state_dict(const OptimizerState& state) {
  std::vector<std::map<std::string, Tensor>> loaded(params_.size());
  std::int64_t step = 0;
  double lr = lr_;
  std::map<std::string, double> group_values;  // "<k>.<field>" -> value
  for (const auto& [key, t] : state) {
    if (key.rfind("group.", 0) == 0) {
      group_values[key.substr(6)] = t.item();
      continue;
    }
    if (key == "step") {
      step = static_cast<std::int64_t>(t.item());
      continue;
    }
    if (key == "lr") {
      lr = t.item();
      continue;
    }
    const auto dot = key.find('.');
    ADVGRAD_CHECK(dot != std::string::npos && dot > 0 && key.find_first_not_of("0123456789") == dot,
                  "optimizer load_state_dict: unexpected key '", key, "'");
    const std::size_t i = std::stoul(key.substr(0, dot));
    ADVGRAD_CHECK(i < params_.size(), "optimizer load_state_dict: key '", key, "' names parameter ", i, " of ",
                  params_.size());
    ADVGRAD_CHECK(t.shape() == params_[i].shape() && t.dtype() == params_[i].dtype(), "optimizer load_state_dict: '",
                  key, "' has shape ", shape_str(t.shape()), ", parameter ", i, " has ", shape_str(params_[i].shape()));
    loaded[i][key.substr(dot + 1)] = t.to(params_[i].device()).clone();
  }
  std::vector<Group> groups = groups_;
  if (group_values.empty()) {
    // A state from before parameter groups: one group, its rate the base rate.
    ADVGRAD_CHECK(groups_.size() == 1, "optimizer load_state_dict: the state has no parameter groups, this optimizer has ",
                  groups_.size());
    check_rate(lr, "learning rate");
    groups[0].lr = lr * groups[0].lr_scale;
  } else {
    for (std::size_t k = 0; k < groups.size(); ++k) {
      const std::string g = std::to_string(k) + ".";
      for (const char* field : {"size", "lr", "lr_scale", "weight_decay"})
        ADVGRAD_CHECK(group_values.count(g + field), "optimizer load_state_dict: the state has no 'group.", g, field,
                      "' (it has fewer groups than this optimizer's ", groups.size(), ")");
      ADVGRAD_CHECK(static_cast<std::size_t>(group_values[g + "size"]) == groups[k].size,
                    "optimizer load_state_dict: group ", k, " has ", group_values[g + "size"],
                    " parameters in the state, ", groups[k].size, " here");
      groups[k].lr = group_values[g + "lr"];
      groups[k].lr_scale = group_values[g + "lr_scale"];
      groups[k].weight_decay = group_values[g + "weight_decay"];
      check_rate(groups[k].lr, "a group's learning rate");
      check_rate(groups[k].weight_decay, "a group's weight decay");
      for (const char* field : {"size", "lr", "lr_scale", "weight_decay"}) group_values.erase(g + field);
    }
    ADVGRAD_CHECK(group_values.empty(), "optimizer load_state_dict: unexpected key 'group.", group_values.begin()->first,
                  "' (the state has more groups than this optimizer's ", groups.size(), ")");
    check_rate(lr, "learning rate");
  }
  state_ = std::move(loaded);
  step_ = step;
  lr_ = lr;
  groups_ = std::move(groups);
}

// ---- SGD ----
Sgd::Sgd(std::vector<Tensor> params, SgdOptions o)
    : Sgd(std::vector<ParamGroup>{ParamGroup{.params = std::move(params)}}, o) {}

Sgd::Sgd(std::vector<ParamGroup> groups, SgdOptions o) : Optimizer(std::move(groups), o.lr, o.weight_decay), o_(o) {
  ADVGRAD_CHECK(o.momentum >= 0 && o.weight_decay >= 0, "sgd: momentum and weight decay must be >= 0");
  ADVGRAD_CHECK(!o.nesterov || (o.momentum > 0 && o.dampening == 0), "sgd: Nesterov needs momentum > 0 and no dampening");
}

// One fused pass over p, its gradient and the momentum buffer (sgd_update_,
// core/ops/ops.h), in the operation order of the formula above.
void Sgd::update(std::size_t i, Tensor& p, const Tensor& grad) {
  SgdOptions now = o_;
  now.lr = lr_of(i);  // the group's current rate
  now.weight_decay = weight_decay_of(i);
  if (o_.momentum == 0) {
    Tensor no_buffer;
    sgd_update_(p, grad, no_buffer, now, false);
    return;
  }
  // The first step (no buffer yet, not even a loaded one) sets b = g.
  const bool first_step = !has_buffer(i, "momentum");
  sgd_update_(p, grad, buffer(i, "momentum"), now, first_step);
}

// ---- Adam / AdamW ----
Adam::Adam(std::vector<Tensor> params, AdamOptions o)
    : Adam(std::vector<ParamGroup>{ParamGroup{.params = std::move(params)}}, o) {}

Adam::Adam(std::vector<ParamGroup> groups, AdamOptions o) : Optimizer(std::move(groups), o.lr, o.weight_decay), o_(o) {
  ADVGRAD_CHECK(o.beta1 >= 0 && o.beta1 < 1 && o.beta2 >= 0 && o.beta2 < 1 && o.eps > 0 && o.weight_decay >= 0,
                "adam: need 0 <= betas < 1, eps > 0, weight decay >= 0");
}

// One fused pass over p, its gradient and both moment buffers (adam_update_,
// core/ops/ops.h) at step t = step_, in the operation order of the formula above.
void Adam::update(std::size_t i, Tensor& p, const Tensor& grad) {
  Tensor& m = buffer(i, "exp_avg");
  Tensor& v = buffer(i, "exp_avg_sq");
  AdamOptions now = o_;
  now.lr = lr_of(i);  // the group's current rate
  now.weight_decay = weight_decay_of(i);
  adam_update_(p, grad, m, v, now, step_);
}

// ---- RMSprop ----
Rmsprop::Rmsprop(std::vector<Tensor> params, RmspropOptions o)
    : Rmsprop(std::vector<ParamGroup>{ParamGroup{.params = std::move(params)}}, o) {}

Rmsprop::Rmsprop(std::vector<ParamGroup> groups, RmspropOptions o) : Optimizer(std::move(groups), o.lr, o.weight_decay), o_(o) {
  ADVGRAD_CHECK(o.alpha >= 0 && o.alpha < 1 && o.eps > 0 && o.momentum >= 0, "rmsprop: need 0 <= alpha < 1, eps > 0");
}

void Rmsprop::update(std::size_t i, Tensor& p, const Tensor& grad) {
  Tensor g = weight_decay_of(i) != 0 ? grad + p * weight_decay_of(i) : grad;
  Tensor& v = buffer(i, "square_avg");
  v.mul_(o_.alpha).add_(g * g, 1 - o_.alpha);
  Tensor d = g / (sqrt(v) + o_.eps);
  if (o_.momentum > 0) {
    Tensor& b = buffer(i, "momentum");
    b.mul_(o_.momentum).add_(d);
    d = b;
  }
  p.add_(d, -lr_of(i));
}

// ---- Adagrad ----
Adagrad::Adagrad(std::vector<Tensor> params, AdagradOptions o)
    : Adagrad(std::vector<ParamGroup>{ParamGroup{.params = std::move(params)}}, o) {}

Adagrad::Adagrad(std::vector<ParamGroup> groups, AdagradOptions o) : Optimizer(std::move(groups), o.lr, o.weight_decay), o_(o) {
  ADVGRAD_CHECK(o.eps > 0, "adagrad: eps must be > 0");
}

void Adagrad::update(std::size_t i, Tensor& p, const Tensor& grad) {
  Tensor g = weight_decay_of(i) != 0 ? grad + p * weight_decay_of(i) : grad;
  Tensor& s = buffer(i, "sum");
  s.add_(g * g);
  p.add_(g / (sqrt(s) + o_.eps), -lr_of(i));
}

// ---- Adadelta ----
Adadelta::Adadelta(std::vector<Tensor> params, AdadeltaOptions o)
    : Adadelta(std::vector<ParamGroup>{ParamGroup{.params = std::move(params)}}, o) {}

Adadelta::Adadelta(std::vector<ParamGroup> groups, AdadeltaOptions o) : Optimizer(std::move(groups), o.lr, o.weight_decay), o_(o) {
  ADVGRAD_CHECK(o.rho >= 0 && o.rho <= 1 && o.eps > 0, "adadelta: need 0 <= rho <= 1, eps > 0");
}

void Adadelta::update(std::size_t i, Tensor& p, const Tensor& grad) {
  Tensor g = weight_decay_of(i) != 0 ? grad + p * weight_decay_of(i) : grad;
  Tensor& v = buffer(i, "square_avg");
  Tensor& u = buffer(i, "acc_delta");
  v.mul_(o_.rho).add_(g * g, 1 - o_.rho);
  Tensor d = sqrt(u + o_.eps) / sqrt(v + o_.eps) * g;
  u.mul_(o_.rho).add_(d * d, 1 - o_.rho);
  p.add_(d, -lr_of(i));
}

const std::vector<std::string>& optimizer_names() {
  static const std::vector<std::string> names{"sgd",     "sgd-momentum", "nesterov", "adam",
                                              "adamw",   "rmsprop",      "adagrad",  "adadelta"};
  return names;
}

double default_lr(const std::string& name) {
  if (name == "sgd" || name == "sgd-momentum" || name == "nesterov" || name == "adagrad") return 0.01;
  if (name == "adam" || name == "adamw" || name == "rmsprop") return 1e-3;
  if (name == "adadelta") return 1.0;
  std::string all;
  for (const auto& n : optimizer_names()) all += (all.empty() ? "" : ", ") + n;
  detail::fail("optimizer: unknown name '", name, "' (expected one of ", all, ")");
}

std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<ParamGroup> groups, double lr,
                                          double weight_decay) {
  const double rate = lr > 0 ? lr : default_lr(name);
  if (name == "sgd") return std::make_unique<Sgd>(std::move(groups), SgdOptions{.lr = rate, .weight_decay = weight_decay});
  if (name == "sgd-momentum")
    return std::make_unique<Sgd>(std::move(groups), SgdOptions{.lr = rate, .momentum = 0.9, .weight_decay = weight_decay});
  if (name == "nesterov")
    return std::make_unique<Sgd>(std::move(groups),
                                 SgdOptions{.lr = rate, .momentum = 0.9, .weight_decay = weight_decay, .nesterov = true});
  if (name == "adam") return std::make_unique<Adam>(std::move(groups), AdamOptions{.lr = rate, .weight_decay = weight_decay});
  if (name == "adamw")
    return std::make_unique<Adam>(std::move(groups), AdamOptions{.lr = rate, .weight_decay = weight_decay, .decoupled = true});
  if (name == "rmsprop")
    return std::make_unique<Rmsprop>(std::move(groups), RmspropOptions{.lr = rate, .weight_decay = weight_decay});
  if (name == "adagrad")
    return std::make_unique<Adagrad>(std::move(groups), AdagradOptions{.lr = rate, .weight_decay = weight_decay});
  return std::make_unique<Adadelta>(std::move(groups), AdadeltaOptions{.lr = rate, .weight_decay = weight_decay});
}

std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<Tensor> params, double lr,
                                          double weight_decay) {
  return make_optimizer(name, std::vector<ParamGroup>{ParamGroup{.params = std::move(params)}}, lr, weight_decay);
}

double clip_grad_norm(const std::vector<Tensor>& params, double max_norm) {
  ADVGRAD_CHECK(max_norm > 0, "clip_grad_norm: max_norm must be > 0, got ", max_norm);
  NoGradGuard no_grad;
  double total = 0;
  for (const auto& p : params)
    if (p.grad().defined()) total += sum(p.grad().to(DType::Float64).pow(2.0)).item();
  total = std::sqrt(total);
  if (total > max_norm) {
    const double scale = max_norm / (total + 1e-6);
    for (const auto& p : params)
      if (p.grad().defined()) {
        Tensor g = p.grad();
        g.mul_(scale);
      }
  }
  return total;
}

}  // namespace advgrad::nn
