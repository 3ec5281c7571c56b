#pragma once
// The figure of natural adversarial examples (eval/natural_adversarial.h).
#include <string>
#include <vector>

#include "advgrad/data/dataset.h"
#include "advgrad/eval/natural_adversarial.h"
#include "advgrad/report/figure.h"

namespace advgrad::report {

// An image grid (image_grid.h) of the found images, `columns` per row, each
// tile captioned "true X" over "pred Y 97%" in red (class names from
// data.class_names when present, else indices), under a title. An empty
// `found` gives a figure with the title and a "none found" line. Throws
// advgrad::Error naming natural_adversarial_grid for an index outside the data
// set or a bad scale/column count.
struct NaturalAdversarialGridOptions {
  int scale = 3;
  int columns = 4;
  std::string title = "natural adversarial examples";
};
Figure natural_adversarial_grid(const data::Dataset& data, const std::vector<eval::NaturalAdversarial>& found,
                                const NaturalAdversarialGridOptions& options = {});

}  // namespace advgrad::report
