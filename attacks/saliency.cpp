#include "advgrad/attacks/saliency.h"

#include "advgrad/attacks/attack.h"
#include "advgrad/core/autograd/engine.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"

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

}  // namespace advgrad::attacks
