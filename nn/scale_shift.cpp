#include "advgrad/nn/scale_shift.h"

#include <cmath>
#include <sstream>

#include "advgrad/core/ops/ops.h"

namespace advgrad::nn {

ScaleShift::ScaleShift(double scale, double shift) : scale_(scale), shift_(shift) {
  ADVGRAD_CHECK(std::isfinite(scale) && std::isfinite(shift) && scale != 0, "ScaleShift: need a finite, non-zero ",
                "scale and a finite shift, got scale ", scale, ", shift ", shift);
}

// dy/dx = scale: the gradient flows back scaled, through the two ops.
Tensor ScaleShift::forward(const Tensor& x) { return x * scale_ + shift_; }

std::string ScaleShift::extra_repr() const {
  std::ostringstream os;
  os << "scale=" << scale_ << ", shift=" << shift_;
  return os.str();
}

std::shared_ptr<ScaleShift> efficientnet_lite_input() {
  return std::make_shared<ScaleShift>(255.0 / 128.0, -127.0 / 128.0);
}

}  // namespace advgrad::nn
