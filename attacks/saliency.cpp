#include "advgrad/attacks/saliency.h"

#include <functional>
#include <limits>

#include "advgrad/attacks/attack.h"
#include "advgrad/core/autograd/engine.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/nn/containers.h"

namespace advgrad::attacks {
namespace {

// d (sum over examples of logit[i, target[i]]) / d x
Tensor score_gradient(nn::Module& model, const Tensor& x, const Tensor& target) {
  Tensor xr = x.detach().requires_grad_(true);
  Tensor logits = model(xr);
  Tensor score = sum(gather(logits, 1, target.unsqueeze(1)));
  return autograd::grad({score}, {xr})[0];
}

}  // namespace

SaliencyMethod parse_saliency_method(const std::string& name) {
  if (name == "gradient" || name == "vanilla") return SaliencyMethod::Gradient;
  if (name == "gradient-x-input") return SaliencyMethod::GradientTimesInput;
  if (name == "smoothgrad") return SaliencyMethod::SmoothGrad;
  if (name == "integrated-gradients") return SaliencyMethod::IntegratedGradients;
  detail::fail("saliency: unknown method '", name,
               "' (expected gradient, gradient-x-input, smoothgrad or integrated-gradients)");
}

Tensor saliency(nn::Module& model, const Tensor& x, const Tensor& target, const SaliencyOptions& o, Generator& gen) {
  ADVGRAD_CHECK(o.samples >= 1 && o.sigma >= 0, "saliency: samples must be >= 1 and sigma >= 0");
  ADVGRAD_CHECK(target.dtype() == DType::Int64 && target.dim() == 1 && target.size(0) == x.size(0),
                "saliency: target must be int64 [", x.size(0), "], got ", shape_str(target.shape()));
  EvalModeGuard eval_mode(model);
  switch (o.method) {
    case SaliencyMethod::Gradient: return score_gradient(model, x, target);
    case SaliencyMethod::GradientTimesInput: return mul(x.detach(), score_gradient(model, x, target));
    case SaliencyMethod::SmoothGrad: {
      Tensor acc = zeros_like(x);
      for (int s = 0; s < o.samples; ++s)
        acc = add(acc, score_gradient(model, add(x.detach(), normal(x.shape(), 0, o.sigma, gen, x.options())), target));
      return acc / static_cast<double>(o.samples);
    }
    case SaliencyMethod::IntegratedGradients: {
      Tensor acc = zeros_like(x);
      for (int s = 1; s <= o.samples; ++s)  // right Riemann sum over alpha = s / samples
        acc = add(acc, score_gradient(model, x.detach() * (static_cast<double>(s) / o.samples), target));
      return mul(x.detach(), acc / static_cast<double>(o.samples));
    }
  }
  return {};
}

Tensor loss_input_gradient(nn::Module& model, const Tensor& x, const Tensor& y) {
  EvalModeGuard eval_mode(model);
  Tensor xr = x.detach().requires_grad_(true);
  return autograd::grad({cross_entropy(model(xr), y, Reduction::Sum)}, {xr})[0];
}

GradientProbe probe_gradients(nn::Module& model, const Tensor& x, const Tensor& y) {
  EvalModeGuard eval_mode(model);
  GradientProbe probe;
  // Walk a chain of Sequentials so every layer's output can carry a hook.
  std::vector<std::pair<std::string, nn::Module*>> chain;
  bool sequential = true;
  std::function<void(const std::string&, nn::Module*)> flatten = [&](const std::string& prefix, nn::Module* m) {
    if (auto* seq = dynamic_cast<nn::Sequential*>(m)) {
      for (auto& [name, child] : seq->named_children()) flatten(prefix.empty() ? name : prefix + "." + name, child.get());
    } else {
      chain.emplace_back(prefix, m);
    }
  };
  if (dynamic_cast<nn::Sequential*>(&model)) flatten("", &model);
  else sequential = false;

  Tensor xr = x.detach().requires_grad_(true);
  Tensor h = xr;
  std::vector<Tensor> layer_grads(chain.size());
  if (sequential) {
    for (std::size_t i = 0; i < chain.size(); ++i) {
      h = chain[i].second->forward(h);
      if (h.requires_grad()) h.register_hook([&layer_grads, i](const Tensor& g) {
        layer_grads[i] = g.detach();
        return Tensor();
      });
    }
  } else {
    h = model(xr);
  }
  Tensor g = autograd::grad({cross_entropy(h, y, Reduction::Sum)}, {xr})[0];
  NoGradGuard no_grad;
  probe.l1 = norm_per_sample(g, 1).to_double_vector();
  probe.l2 = norm_per_sample(g, 2).to_double_vector();
  probe.linf = norm_per_sample(g, std::numeric_limits<double>::infinity()).to_double_vector();
  probe.zero_fraction = mean(eq(g, zeros({}, g.options())).to(DType::Float64)).item();
  for (std::size_t i = 0; i < chain.size(); ++i) {
    if (!layer_grads[i].defined()) continue;
    const Tensor& lg = layer_grads[i];
    probe.layers.push_back({chain[i].first, chain[i].second->type_name(), mean(norm_per_sample(lg, 2)).item(),
                            mean(eq(lg, zeros({}, lg.options())).to(DType::Float64)).item()});
  }
  return probe;
}

std::vector<FiniteDifferencePoint> finite_difference_check(nn::Module& model, const Tensor& x, const Tensor& y,
                                                           const std::vector<std::int64_t>& indices, double h) {
  ADVGRAD_CHECK(h > 0, "finite_difference_check: h must be > 0");
  Tensor x0 = x.slice(0, 0, 1).detach().contiguous(), y0 = y.slice(0, 0, 1);
  Tensor g = loss_input_gradient(model, x0, y0).reshape({-1}).to(DType::Float64);
  EvalModeGuard eval_mode(model);
  NoGradGuard no_grad;
  auto base = x0.to_double_vector();
  std::vector<FiniteDifferencePoint> out;
  for (auto idx : indices) {
    ADVGRAD_CHECK(idx >= 0 && idx < static_cast<std::int64_t>(base.size()), "finite_difference_check: pixel ", idx,
                  " out of range for ", base.size(), " pixels");
    auto loss_at = [&](double delta) {
      auto v = base;
      v[idx] += delta;
      return cross_entropy(model(from_vector(v, x0.shape(), x0.options())), y0, Reduction::Sum).item();
    };
    out.push_back({idx, g.to_double_vector()[idx], (loss_at(h) - loss_at(-h)) / (2 * h)});
  }
  return out;
}

}  // namespace advgrad::attacks
