#include "advgrad/nn/optimizer.h"

#include <cmath>

#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad::nn {

Optimizer::Optimizer(std::vector<Tensor> params, double lr) : params_(std::move(params)), lr_(lr) {
  ADVGRAD_CHECK(!params_.empty(), "optimizer: got an empty parameter list");
  ADVGRAD_CHECK(lr >= 0 && std::isfinite(lr), "optimizer: learning rate must be finite and >= 0, got ", lr);
  for (std::size_t i = 0; i < params_.size(); ++i)
    ADVGRAD_CHECK(params_[i].defined() && params_[i].is_leaf() && params_[i].requires_grad(), "optimizer: parameter ",
                  i, " is not a leaf tensor that requires grad");
  state_.resize(params_.size());
}

void Optimizer::set_lr(double lr) {
  ADVGRAD_CHECK(lr >= 0 && std::isfinite(lr), "optimizer: learning rate must be finite and >= 0, got ", lr);
  lr_ = lr;
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
  for (std::size_t i = 0; i < state_.size(); ++i)
    for (const auto& [name, t] : state_[i]) out[std::to_string(i) + "." + name] = t.clone();
  return out;
}

void Optimizer::load_state_dict(const OptimizerState& state) {
  std::vector<std::map<std::string, Tensor>> loaded(params_.size());
  std::int64_t step = 0;
  double lr = lr_;
  for (const auto& [key, t] : state) {
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
  state_ = std::move(loaded);
  step_ = step;
  set_lr(lr);
}

// ---- SGD ----
Sgd::Sgd(std::vector<Tensor> params, SgdOptions o) : Optimizer(std::move(params), o.lr), o_(o) {
  ADVGRAD_CHECK(o.momentum >= 0 && o.weight_decay >= 0, "sgd: momentum and weight decay must be >= 0");
  ADVGRAD_CHECK(!o.nesterov || (o.momentum > 0 && o.dampening == 0), "sgd: Nesterov needs momentum > 0 and no dampening");
}

// One fused pass over p, its gradient and the momentum buffer (sgd_update_,
// core/ops/ops.h), in the operation order of the formula above.
void Sgd::update(std::size_t i, Tensor& p, const Tensor& grad) {
  SgdOptions now = o_;
  now.lr = lr_;  // the schedule's current rate
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
Adam::Adam(std::vector<Tensor> params, AdamOptions o) : Optimizer(std::move(params), o.lr), o_(o) {
  ADVGRAD_CHECK(o.beta1 >= 0 && o.beta1 < 1 && o.beta2 >= 0 && o.beta2 < 1 && o.eps > 0 && o.weight_decay >= 0,
                "adam: need 0 <= betas < 1, eps > 0, weight decay >= 0");
}

// One fused pass over p, its gradient and both moment buffers (adam_update_,
// core/ops/ops.h) at step t = step_, in the operation order of the formula above.
void Adam::update(std::size_t i, Tensor& p, const Tensor& grad) {
  Tensor& m = buffer(i, "exp_avg");
  Tensor& v = buffer(i, "exp_avg_sq");
  AdamOptions now = o_;
  now.lr = lr_;  // the schedule's current rate
  adam_update_(p, grad, m, v, now, step_);
}

// ---- RMSprop ----
Rmsprop::Rmsprop(std::vector<Tensor> params, RmspropOptions o) : Optimizer(std::move(params), o.lr), o_(o) {
  ADVGRAD_CHECK(o.alpha >= 0 && o.alpha < 1 && o.eps > 0 && o.momentum >= 0, "rmsprop: need 0 <= alpha < 1, eps > 0");
}

void Rmsprop::update(std::size_t i, Tensor& p, const Tensor& grad) {
  Tensor g = o_.weight_decay != 0 ? grad + p * o_.weight_decay : grad;
  Tensor& v = buffer(i, "square_avg");
  v.mul_(o_.alpha).add_(g * g, 1 - o_.alpha);
  Tensor d = g / (sqrt(v) + o_.eps);
  if (o_.momentum > 0) {
    Tensor& b = buffer(i, "momentum");
    b.mul_(o_.momentum).add_(d);
    d = b;
  }
  p.add_(d, -lr_);
}

// ---- Adagrad ----
Adagrad::Adagrad(std::vector<Tensor> params, AdagradOptions o) : Optimizer(std::move(params), o.lr), o_(o) {
  ADVGRAD_CHECK(o.eps > 0, "adagrad: eps must be > 0");
}

void Adagrad::update(std::size_t i, Tensor& p, const Tensor& grad) {
  Tensor g = o_.weight_decay != 0 ? grad + p * o_.weight_decay : grad;
  Tensor& s = buffer(i, "sum");
  s.add_(g * g);
  p.add_(g / (sqrt(s) + o_.eps), -lr_);
}

// ---- Adadelta ----
Adadelta::Adadelta(std::vector<Tensor> params, AdadeltaOptions o) : Optimizer(std::move(params), o.lr), o_(o) {
  ADVGRAD_CHECK(o.rho >= 0 && o.rho <= 1 && o.eps > 0, "adadelta: need 0 <= rho <= 1, eps > 0");
}

void Adadelta::update(std::size_t i, Tensor& p, const Tensor& grad) {
  Tensor g = o_.weight_decay != 0 ? grad + p * o_.weight_decay : grad;
  Tensor& v = buffer(i, "square_avg");
  Tensor& u = buffer(i, "acc_delta");
  v.mul_(o_.rho).add_(g * g, 1 - o_.rho);
  Tensor d = sqrt(u + o_.eps) / sqrt(v + o_.eps) * g;
  u.mul_(o_.rho).add_(d * d, 1 - o_.rho);
  p.add_(d, -lr_);
}

const std::vector<std::string>& optimizer_names() {
  static const std::vector<std::string> names{"sgd",     "sgd-momentum", "nesterov", "adam",
                                              "adamw",   "rmsprop",      "adagrad",  "adadelta"};
  return names;
}

std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<Tensor> params, double lr,
                                          double weight_decay) {
  auto pick = [lr](double fallback) { return lr > 0 ? lr : fallback; };
  if (name == "sgd") return std::make_unique<Sgd>(std::move(params), SgdOptions{.lr = pick(0.01), .weight_decay = weight_decay});
  if (name == "sgd-momentum")
    return std::make_unique<Sgd>(std::move(params), SgdOptions{.lr = pick(0.01), .momentum = 0.9, .weight_decay = weight_decay});
  if (name == "nesterov")
    return std::make_unique<Sgd>(std::move(params),
                                 SgdOptions{.lr = pick(0.01), .momentum = 0.9, .weight_decay = weight_decay, .nesterov = true});
  if (name == "adam") return std::make_unique<Adam>(std::move(params), AdamOptions{.lr = pick(1e-3), .weight_decay = weight_decay});
  if (name == "adamw")
    return std::make_unique<Adam>(std::move(params), AdamOptions{.lr = pick(1e-3), .weight_decay = weight_decay, .decoupled = true});
  if (name == "rmsprop")
    return std::make_unique<Rmsprop>(std::move(params), RmspropOptions{.lr = pick(1e-3), .weight_decay = weight_decay});
  if (name == "adagrad")
    return std::make_unique<Adagrad>(std::move(params), AdagradOptions{.lr = pick(0.01), .weight_decay = weight_decay});
  if (name == "adadelta")
    return std::make_unique<Adadelta>(std::move(params), AdadeltaOptions{.lr = pick(1.0), .weight_decay = weight_decay});
  std::string all;
  for (const auto& n : optimizer_names()) all += (all.empty() ? "" : ", ") + n;
  detail::fail("optimizer: unknown name '", name, "' (expected one of ", all, ")");
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
