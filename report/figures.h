#pragma once
// The figures of input gradients: what an attack changed (adversarial_grid)
// and where the gradient looks (saliency_figure). Both are image grids
// (image_grid.h) with a colour bar giving the scale of their heat maps. They
// take tensors: float32 or float64, on any device, contiguous or not. Every
// function checks its inputs and throws advgrad::Error naming itself and the
// shapes it was given.
#include <cstdint>
#include <string>
#include <vector>

#include "advgrad/core/tensor.h"
#include "advgrad/report/figure.h"

namespace advgrad::report {

// Rows of (clean | perturbation | adversarial) tiles, one row per example (at
// most max_rows), under a title and column headers. Captions: clean "true
// <name>" over "pred <name> 97%" (red when wrong), perturbation "max |δ| 0.100",
// adversarial "pred <name> 88%" (red when the prediction differs from the true
// label, green when it held).
// The perturbation x_adv - x is drawn with a diverging map (blue negative, white
// zero, red positive); for RGB the channel with the largest |delta| at each
// pixel gives its value, so that an L-inf step does not cancel out. With
// eps > 0 the map spans [-eps, eps] for every row (the colour bar reads in
// pixel units); else each row is divided by its own max |delta| (the bar
// reads in those units).
// x, x_adv: [N, C, H, W] in [0, 1], C = 1 (grey) or 3 (RGB); labels [N] integer;
// clean_logits, adv_logits: [N, classes]; class_names: one per class, or empty
// to print class indices.
struct AdversarialGridOptions {
  int scale = 3;  // CSS px per input pixel
  std::string title{};
  std::int64_t max_rows = 8;
  double eps = 0;  // the attack's budget, when known
  // The clean tile's first caption is "<label_word> <name>": "true" for a
  // data set's label, "label" where the label is the model's own clean answer.
  std::string label_word = "true";
  // > 0: max |δ| written in units of 1/denominator ("max |δ| 1.00/255" for
  // 255, how photo attacks state eps), and the colour bar's ticks in the
  // same units (-4 .. 4 for eps 4/255); 0: both as plain numbers.
  double delta_denominator = 0;
  // A targeted attack's class per example (empty: untargeted): the
  // adversarial tile's caption gets a line "target <name>".
  std::vector<std::int64_t> targets{};
};
// The perturbation tile's caption: "max |δ| 0.00784", or with a denominator
// d > 0 in units of 1/d, "max |δ| 2.00/255".
std::string delta_caption(double max_abs_delta, double denominator);
Figure adversarial_grid(const Tensor& x, const Tensor& x_adv, const Tensor& labels, const Tensor& clean_logits,
                        const Tensor& adv_logits, const std::vector<std::string>& class_names,
                        const AdversarialGridOptions& options = {});

// Per example (one row, row_labels[i] on its left when given): the image, the
// saliency as a heat map (|s| summed over channels, normalised per example to
// its 99th percentile and clipped, colour map black -> red -> yellow -> white,
// with its colour bar), and the heat map laid over the image (opacity growing
// with the saliency).
// x: [N, C, H, W]; maps: [N, C', H, W] with any C', or [N, H, W]; row_labels: N
// strings or empty.
struct SaliencyFigureOptions {
  int scale = 3;
  std::string title{};
};
Figure saliency_figure(const Tensor& x, const Tensor& maps, const std::vector<std::string>& row_labels,
                       const SaliencyFigureOptions& options = {});

}  // namespace advgrad::report
