#include "advgrad/attacks/gradient_probe.h"

#include <algorithm>
#include <functional>
#include <limits>

#include "advgrad/attacks/attack.h"
#include "advgrad/core/autograd/engine.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/nn/containers.h"

namespace advgrad::attacks {

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

std::vector<std::int64_t> probe_pixels(std::int64_t height, std::int64_t width) {
  std::vector<std::int64_t> pixels;
  for (std::int64_t c = width / 4; c < width; c += std::max<std::int64_t>(1, width / 4))
    pixels.push_back((height / 2) * width + c);
  return pixels;
}

InputGradientReport probe_input_gradient(nn::Module& model, nn::Module& float64_model, const Tensor& x,
                                         const Tensor& y, double h) {
  ADVGRAD_CHECK(x.dim() == 4, "probe_input_gradient: expected images [N, C, H, W], got ", shape_str(x.shape()));
  InputGradientReport r;
  r.probe = probe_gradients(model, x, y);
  const Tensor x0 = x.slice(0, 0, 1), y0 = y.slice(0, 0, 1);
  const auto own = loss_input_gradient(model, x0, y0).to_double_vector();
  const auto pixels = probe_pixels(x.size(2), x.size(3));
  for (const auto& p : finite_difference_check(float64_model, x0.to(DType::Float64), y0, pixels, h))
    r.pixels.push_back({p.index, own[p.index], p.autograd, p.finite_difference});
  return r;
}

}  // namespace advgrad::attacks
