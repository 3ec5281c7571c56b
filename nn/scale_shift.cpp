#include "advgrad/nn/scale_shift.h"

#include <cmath>
#include <sstream>

#include "advgrad/core/ops/ops.h"

namespace advgrad::nn {
namespace {

// values as [1, C, 1, ...] in x's rank, dtype and device: broadcasts over all but dim 1.
Tensor per_channel(const std::vector<double>& values, const Tensor& x) {
  Shape shape(static_cast<std::size_t>(x.dim()), 1);
  shape[1] = static_cast<std::int64_t>(values.size());
  return from_vector(values, shape, {.dtype = x.dtype()}).to(x.device());
}

void print(std::ostream& os, const std::vector<double>& v) {
  if (v.size() == 1) return void(os << v[0]);
  os << "(";
  for (std::size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
  os << ")";
}

}  // namespace

ScaleShift::ScaleShift(double scale, double shift) : ScaleShift(std::vector{scale}, std::vector{shift}) {}

ScaleShift::ScaleShift(std::vector<double> scale, std::vector<double> shift)
    : scale_(std::move(scale)), shift_(std::move(shift)) {
  ADVGRAD_CHECK(!scale_.empty() && scale_.size() == shift_.size(), "ScaleShift: need as many scales as shifts, ",
                "at least one, got ", scale_.size(), " and ", shift_.size());
  for (std::size_t c = 0; c < scale_.size(); ++c)
    ADVGRAD_CHECK(std::isfinite(scale_[c]) && std::isfinite(shift_[c]) && scale_[c] != 0, "ScaleShift: need a ",
                  "finite, non-zero scale and a finite shift, got scale ", scale_[c], ", shift ", shift_[c]);
}

// dy/dx = scale (per channel): the gradient flows back scaled, through the two ops.
Tensor ScaleShift::forward(const Tensor& x) {
  if (scale_.size() == 1) return x * scale_[0] + shift_[0];
  ADVGRAD_CHECK(x.dim() >= 2 && x.size(1) == static_cast<std::int64_t>(scale_.size()), "ScaleShift: expected [N, ",
                scale_.size(), ", ...], got ", shape_str(x.shape()));
  // The [1, C, 1, ...] constants are built once per dtype, device and rank, not
  // on every call (an attack runs the model hundreds of times).
  if (!scale_tensor_.defined() || scale_tensor_.dtype() != x.dtype() || scale_tensor_.device() != x.device() ||
      scale_tensor_.dim() != x.dim()) {
    scale_tensor_ = per_channel(scale_, x);
    shift_tensor_ = per_channel(shift_, x);
  }
  return x * scale_tensor_ + shift_tensor_;
}

std::string ScaleShift::extra_repr() const {
  std::ostringstream os;
  os << "scale=";
  print(os, scale_);
  os << ", shift=";
  print(os, shift_);
  return os.str();
}

std::shared_ptr<ScaleShift> efficientnet_lite_input() {
  return std::make_shared<ScaleShift>(255.0 / 128.0, -127.0 / 128.0);
}

std::shared_ptr<ScaleShift> torchvision_imagenet_input() {
  const double mean[] = {0.485, 0.456, 0.406}, stddev[] = {0.229, 0.224, 0.225};
  std::vector<double> scale, shift;
  for (int c = 0; c < 3; ++c) {
    scale.push_back(1.0 / stddev[c]);
    shift.push_back(-mean[c] / stddev[c]);
  }
  return std::make_shared<ScaleShift>(scale, shift);
}

}  // namespace advgrad::nn
