#pragma once
// Figures for the attack CLI and the reports, drawn on an Image (png_image.h)
// with the built-in font (bitmap_font.h). They take tensors, so they live in
// training/ and not in kernels/. Every function checks its inputs and throws
// advgrad::Error naming itself and the shapes it was given. Tensors may be
// float32 or float64, on any device, contiguous or not.
#include <cstdint>
#include <string>
#include <vector>

#include "advgrad/core/tensor.h"
#include "advgrad/report/png_image.h"

namespace advgrad::report {

// Rows of (clean | perturbation | adversarial) tiles, one row per example (at
// most max_rows), under a title line and column headers. Captions: clean
// "true: <name> / pred: <name> 97%", adversarial "pred: <name> 88%" (red when
// the prediction differs from the true label, green when it is still right).
// The perturbation x_adv - x is drawn with a diverging map (blue negative, white
// zero, red positive); for RGB the channel with the largest |delta| at each
// pixel gives its value, so that an L-inf step does not cancel out. It is
// divided by `eps` when eps > 0 (caption "x 1/eps, eps=..."), else by each
// example's own max |delta| (caption "max |d| = ...").
// x, x_adv: [N, C, H, W] in [0, 1], C = 1 (grey) or 3 (RGB); labels [N] integer;
// clean_logits, adv_logits: [N, classes]; class_names: one per class, or empty
// to print class indices.
struct AdversarialGridOptions {
  int scale = 3;  // each input pixel becomes a scale x scale block
  std::string title{};  // (the {} keeps -Wextra quiet about designated initializers that skip it)
  std::int64_t max_rows = 8;
  double eps = 0;  // the attack's budget, when known (added to the API: see the comment above)
};
Image adversarial_grid(const Tensor& x, const Tensor& x_adv, const Tensor& labels, const Tensor& clean_logits,
                       const Tensor& adv_logits, const std::vector<std::string>& class_names,
                       const AdversarialGridOptions& options = {});

// Per example (one row, row_labels[i] on its left when given): the image, the
// saliency as a heat map (|s| summed over channels, normalised per example to
// its 99th percentile and clipped, colour map black -> red -> yellow -> white),
// and the heat map laid over the image (opacity growing with the saliency).
// x: [N, C, H, W]; maps: [N, C', H, W] with any C', or [N, H, W]; row_labels: N
// strings or empty.
struct SaliencyFigureOptions {
  int scale = 4;
  std::string title{};
};
Image saliency_figure(const Tensor& x, const Tensor& maps, const std::vector<std::string>& row_labels,
                      const SaliencyFigureOptions& options = {});

// A line chart with axes, grid lines, numbered ticks, axis labels, a title and
// a legend, for robustness curves (accuracy vs eps). The x range is the data's;
// the y range is [y_min, y_max] (values outside are drawn at the edge); with
// y_percent the y ticks read "50%" for 0.5. Each series needs as many x as y
// values, at least one, all finite.
struct ChartSeries {
  std::string name{};
  std::vector<double> x{}, y{};
};
struct ChartOptions {
  std::string title{}, x_label{}, y_label{};
  double y_min = 0, y_max = 1;
  bool y_percent = true;
  int width = 640, height = 420;  // at least 200 x 150
};
Image line_chart(const std::vector<ChartSeries>& series, const ChartOptions& options);

// An image tensor [C, H, W] in [0, 1] (C = 1 grey or 3 RGB; values clamped) as an
// Image, each pixel a scale x scale block. Non-finite values throw.
Image tensor_to_image(const Tensor& image_chw, int scale = 1);

// The diverging map of the perturbation tiles, t in [-1, 1] (clamped):
// blue (-1) -> white (0) -> red (+1). Exposed for tests and legends.
Rgb diverging_color(double t);
// The heat map of the saliency tiles, t in [0, 1] (clamped):
// black -> red -> yellow -> white.
Rgb heat_color(double t);

}  // namespace advgrad::report
