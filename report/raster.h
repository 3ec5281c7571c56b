#pragma once
// Tensors and numbers as RGB rasters: an image tensor as an Image, and the
// colour maps of the heat maps (saliency, perturbations, counts). A figure
// draws these with Figure::pixels, pixel for pixel.
#include "advgrad/core/tensor.h"
#include "advgrad/report/png_image.h"

namespace advgrad::report {

// An image tensor [C, H, W] in [0, 1] (C = 1 grey or 3 RGB; float32 or float64,
// any device, contiguous or not) as an Image of W x H pixels; values are
// clamped to [0, 1]. Throws advgrad::Error naming tensor_to_image for another
// shape or dtype, or a non-finite value.
Image tensor_to_image(const Tensor& image_chw);

// Colour maps, each from [0, 1] (clamped; NaN reads as the low end, 0.5 for
// Diverging) to a colour:
//   Diverging  blue -> white (0.5) -> red: signed values, white at zero
//   Heat       black -> red -> yellow -> white: magnitudes (saliency)
//   Blues      white -> dark blue: counts (confusion matrices), dark = many
enum class ColorMap { Diverging, Heat, Blues };
Rgb map_color(ColorMap map, double u);

// The perturbation map, t in [-1, 1] (clamped): blue (-1), white (0), red (+1).
Rgb diverging_color(double t);
// The saliency map, t in [0, 1] (clamped): black -> red -> yellow -> white.
Rgb heat_color(double t);

}  // namespace advgrad::report
