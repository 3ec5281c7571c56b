#pragma once
// Neural Structured Learning style adversarial regularisation (the TensorFlow
// NSL library's AdversarialRegularization, used in its adversarial-learning
// workshop), with its defaults multiplier 0.2 and step 0.05:
//
//   g    = d CE(f(x), y) / dx                      (the supervised loss, always)
//   x'   = clip(x + adv_step_size * normalise(g), lo, hi),   a constant (no gradient)
//          normalise: "infinity" -> sign(g); "l2" -> g / ||g||_2, per example
//   loss = CE(f(x), y) + multiplier * N(x, x')
//   N    = "supervised": CE(f(x'), y)              (NSL's Keras wrapper)
//          "l1":  mean_i sum_k |p_k(x_i) - p_k(x'_i)|
//          "l2":  mean_i sum_k (p_k(x_i) - p_k(x'_i))^2  (squared L2)
//          "kl":  mean_i sum_k p_k(x_i) (log p_k(x_i) - log p_k(x'_i)) = KL(p(x) || p(x'))
//          with p = softmax(f(.)), the model's predicted distribution.
//
// Gradient choices (as NSL): the neighbour is generated from the gradient of
// the supervised loss whatever N is, and is wrapped in stop_gradient, so
// nothing flows through its creation; for the distance losses gradients flow
// through both f(x) and f(x') (NSL's adv_regularizer does not stop the
// target's gradient; only its virtual-adversarial regulariser does, which
// detach_clean = true reproduces). NSL does not clip by default; here x' is
// clipped to the valid pixel range [lo, hi] because the models see pixels.
//
// The neighbour is made by attacks::pgd (one step, eps = step = adv_step_size,
// L-inf/sign or L2/L2-normaliser), so the gradient is taken in eval mode
// (BatchNorm running statistics, no dropout); NSL takes it in the training
// forward pass. For models without BN or dropout the two are the same.
#include <string>
#include <vector>

#include "advgrad/nn/module.h"
#include "advgrad/training/trainer.h"

namespace advgrad::training {

struct NslOptions {
  double multiplier = 0.2, adv_step_size = 0.05;
  std::string adv_grad_norm = "infinity";    // "infinity" (sign) or "l2"
  std::string neighbor_loss = "supervised";  // "supervised", "l1", "l2", "kl"
  double lo = 0, hi = 1;
  bool detach_clean = false;  // distance losses: treat p(x) as a constant target
};

const std::vector<std::string>& nsl_norm_names();           // infinity, l2
const std::vector<std::string>& nsl_neighbor_loss_names();  // supervised, l1, l2, kl

void validate(const NslOptions& options);  // advgrad::Error on bad values
// The adversarial neighbour x' of x (detached).
Tensor nsl_neighbor(nn::Module& model, const Tensor& x, const Tensor& y, const NslOptions& options);
// Returns the total loss; `clean_logits` receives the logits on x.
Tensor nsl_loss(nn::Module& model, const Tensor& x, const Tensor& y, const NslOptions& options, Tensor& clean_logits);
Trainer::StepLoss nsl_step_loss(const NslOptions& options);

}  // namespace advgrad::training
