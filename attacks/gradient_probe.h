#pragma once
// The gradient probe: dLoss/dImage in numbers. How large it is (L1, L2, L-inf
// per example), how much of it is exactly zero (dead ReLUs, max-pool
// routing), how large the gradient reaching each layer's output is, and
// autograd next to a central finite difference at a few pixels, the proof
// that the backward pass computes the derivative it claims.
#include <cstdint>
#include <string>
#include <vector>

#include "advgrad/core/tensor.h"
#include "advgrad/nn/module.h"

namespace advgrad::attacks {

// d cross_entropy / d x (mean over nothing: per-example losses summed), eval mode.
Tensor loss_input_gradient(nn::Module& model, const Tensor& x, const Tensor& y);

// Statistics of dL/dx and of the gradient reaching each layer's output.
struct LayerGradient {
  std::string name;   // the child's name in the Sequential ("3", "features.1", ...)
  std::string type;   // its type ("Conv2d", ...)
  double l2 = 0;      // mean per-example L2 norm of dL/d(output)
  double zero_fraction = 0;
};
struct GradientProbe {
  std::vector<double> l1, l2, linf;  // per example, of dL/dx
  double zero_fraction = 0;          // entries of dL/dx exactly zero (dead ReLUs, max-pool masking)
  std::vector<LayerGradient> layers; // from input to output; empty unless the model is a Sequential chain
};
GradientProbe probe_gradients(nn::Module& model, const Tensor& x, const Tensor& y);

// Autograd dL/dx next to a central finite difference at chosen flat pixel
// indices of example 0 of x (double precision evaluation of the loss).
struct FiniteDifferencePoint {
  std::int64_t index;
  double autograd, finite_difference;
};
std::vector<FiniteDifferencePoint> finite_difference_check(nn::Module& model, const Tensor& x, const Tensor& y,
                                                           const std::vector<std::int64_t>& indices, double h = 1e-3);


// Flat pixel indices of a height x width image for the finite-difference
// check: a few columns of the centre row (a quarter of the width apart).
std::vector<std::int64_t> probe_pixels(std::int64_t height, std::int64_t width);

// The whole probe of `advgrad saliency --probe`: probe_gradients on x, y and,
// at probe_pixels of example 0, autograd in the model's own dtype beside
// autograd and a central finite difference (step h) of `float64_model`, a
// float64 copy of the model. Finite differences need float64: in float32 the
// rounding error of the loss (~1e-7) over 2h swamps the difference.
struct PixelGradient {
  std::int64_t index;
  double autograd_model_dtype, autograd, finite_difference;
};
struct InputGradientReport {
  GradientProbe probe;
  std::vector<PixelGradient> pixels;
};
InputGradientReport probe_input_gradient(nn::Module& model, nn::Module& float64_model, const Tensor& x,
                                         const Tensor& y, double h = 1e-5);

}  // namespace advgrad::attacks
