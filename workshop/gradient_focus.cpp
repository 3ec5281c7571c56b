#include "advgrad/workshop/gradient_focus.h"

#include <algorithm>

#include "advgrad/attacks/gradient_probe.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad::workshop {

GradientFocus gradient_focus(nn::Module& model, const data::Dataset& test, std::int64_t n, double threshold) {
  ADVGRAD_CHECK(n >= 1 && test.size() >= 1, "gradient_focus: need at least one test image");
  n = std::min(n, test.size());
  std::vector<std::int64_t> idx;
  for (std::int64_t i = 0; i < n; ++i) idx.push_back(i);
  const Device device = model.device();
  const Tensor x = test.images_tensor(idx).to(device), y = test.labels_tensor(idx).to(device);
  const Tensor g = attacks::loss_input_gradient(model, x, y);
  NoGradGuard no_grad;
  // A pixel belongs to the object if any of its channels is brighter than the threshold.
  const Tensor mask = gt(amax(x, {1}, true), full({}, threshold, x.options())).to(x.dtype());
  const Tensor magnitude = sum(abs(g), {1}, true);  // [N, 1, H, W]
  const Tensor on = sum(mul(magnitude, mask), {1, 2, 3}), total = sum(magnitude, {1, 2, 3});
  const auto on_v = on.to_double_vector(), total_v = total.to_double_vector();
  const auto area_v = mean(mask, {1, 2, 3}).to_double_vector();
  GradientFocus f;
  for (std::int64_t i = 0; i < n; ++i) {
    if (!(total_v[i] > 0)) continue;  // a saturated example with no gradient says nothing
    f.on_object += on_v[i] / total_v[i];
    f.object_area += area_v[i];
    ++f.images;
  }
  if (f.images > 0) {
    f.on_object /= static_cast<double>(f.images);
    f.object_area /= static_cast<double>(f.images);
  }
  return f;
}

}  // namespace advgrad::workshop
