#pragma once
// Where does dLoss/dImage point? A number for what saliency maps show: the
// share of the input gradient's magnitude that falls on the object (pixels
// brighter than a threshold; Fashion-MNIST's background is black) against the
// share of the image the object covers. A model whose gradient looks like the
// object (robust models' do: Tsipras et al. 2019, "Robustness May Be at Odds
// with Accuracy") puts far more of it there than its area alone would.
#include <cstdint>

#include "advgrad/data/dataset.h"
#include "advgrad/nn/module.h"

namespace advgrad::workshop {

struct GradientFocus {
  double on_object = 0;    // sum |dL/dx| over object pixels / sum |dL/dx|, averaged over images
  double object_area = 0;  // object pixels / all pixels, averaged over images
  std::int64_t images = 0;
};

// Over the first `n` test images (cross-entropy of the true label, eval mode,
// input gradient only); object = pixels above `threshold` in any channel.
GradientFocus gradient_focus(nn::Module& model, const data::Dataset& test, std::int64_t n, double threshold = 0.1);

}  // namespace advgrad::workshop
