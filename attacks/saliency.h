#pragma once
// Input-gradient tools: where does the loss (or a class score) look?
//
//   vanilla gradient     d score / d x
//   gradient x input     x * d score / d x
//   SmoothGrad           mean over n noisy copies x + N(0, sigma^2) of d score / d x
//                        (Smilkov et al. 2017)
//   integrated gradients (x - x0) * mean over alpha in (0, 1] of d score / d x at
//                        x0 + alpha (x - x0), with a zero baseline x0 (Sundararajan et
//                        al. 2017); its sum approximates score(x) - score(x0)
// `score` is the logit of class `target` (per example). All tools run the model in
// eval mode and touch no parameter gradient.
#include <string>
#include <vector>

#include "advgrad/core/generator.h"
#include "advgrad/core/tensor.h"
#include "advgrad/nn/module.h"

namespace advgrad::attacks {

enum class SaliencyMethod { Gradient, GradientTimesInput, SmoothGrad, IntegratedGradients };

struct SaliencyOptions {
  SaliencyMethod method = SaliencyMethod::Gradient;
  int samples = 25;      // SmoothGrad noise samples / integrated-gradient steps
  double sigma = 0.15;   // SmoothGrad noise, in pixel units
};

// x [N, ...], target int64 [N]: one map per example, x's shape.
Tensor saliency(nn::Module& model, const Tensor& x, const Tensor& target, const SaliencyOptions& options,
                Generator& gen);
SaliencyMethod parse_saliency_method(const std::string& name);  // gradient, gradient-x-input, smoothgrad, integrated-gradients

}  // namespace advgrad::attacks
