#pragma once
// The gradient demo: the smallest end-to-end story advgrad tells.
//   1. Generate "bars" images (8x8: a horizontal bar = class 0, a vertical
//      bar = class 1, plus noise) from a seed.
//   2. Fit a two-layer MLP with hand-written SGD.
//   3. For one test image, compute dLoss/dImage with autograd::grad, check a
//      few pixels against finite differences, and draw the gradient.
//   4. Take one FGSM step x + eps * sign(dL/dx) and show the loss go up.
// It uses only core ops, so it runs before any nn/ layer exists.
#include <cstdint>
#include <iosfwd>
#include <vector>

namespace advgrad::workshop {

struct GradientDemoOptions {
  std::uint64_t seed = 1;
  int steps = 300;          // SGD steps
  int batch_size = 64;
  double learning_rate = 0.5;
  double fgsm_eps = 0.25;   // pixel-space step of the FGSM demo
  int test_size = 512;
};

struct GradientDemoResult {
  std::vector<double> loss_curve;  // training loss every 25 steps
  double test_accuracy = 0;
  double clean_loss = 0, adversarial_loss = 0;  // on the demo image
  double adversarial_accuracy = 0;              // on the whole test set after FGSM
  double max_fd_error = 0;  // worst |autograd - finite difference| over the checked pixels
};

GradientDemoResult run_gradient_demo(const GradientDemoOptions& options, std::ostream& log);

}  // namespace advgrad::workshop
