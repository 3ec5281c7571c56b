#include "advgrad/training/static_augmentation.h"

#include <cmath>

#include "advgrad/attacks/attack.h"

namespace advgrad::training {

data::Dataset fgsm_perturbed_copy(nn::Module& model, const data::Dataset& data, double eps, std::int64_t batch_size) {
  ADVGRAD_CHECK(std::isfinite(eps) && eps >= 0, "fgsm_perturbed_copy: eps must be >= 0, got ", eps);
  ADVGRAD_CHECK(batch_size >= 1, "fgsm_perturbed_copy: batch size must be >= 1, got ", batch_size);
  data.validate();
  data::Dataset out = data;
  out.name = data.name + "+fgsm";
  if (eps == 0) return out;
  const std::int64_t per_image = data.image_numel();
  for (std::int64_t start = 0; start < data.size(); start += batch_size) {
    std::vector<std::int64_t> idx;
    for (std::int64_t i = start; i < std::min(data.size(), start + batch_size); ++i) idx.push_back(i);
    attacks::AttackOptions base;
    base.lo = 0;
    base.hi = 1;
    const Tensor x_adv = attacks::fgsm(model, data.images_tensor(idx), data.labels_tensor(idx), eps, base).x_adv;
    const std::vector<double> v = x_adv.to_double_vector();
    const std::size_t offset = static_cast<std::size_t>(start * per_image);
    for (std::size_t k = 0; k < v.size(); ++k) {
      const double original = data.pixels[offset + k];
      const double q = v[k] * 255.0;
      // Round toward the original pixel: never further from it than x_adv (the
      // 1e-4 absorbs float32 error, so eps = k/255 moves a pixel by exactly k).
      double r = q > original ? std::floor(q + 1e-4) : std::ceil(q - 1e-4);
      r = std::min(255.0, std::max(0.0, r));
      out.pixels[offset + k] = static_cast<std::uint8_t>(r);
    }
  }
  return out;
}

data::Dataset concat_datasets(const data::Dataset& a, const data::Dataset& b) {
  ADVGRAD_CHECK(a.channels == b.channels && a.height == b.height && a.width == b.width,
                "concat_datasets: '", a.name, "' has images ", a.channels, "x", a.height, "x", a.width, ", '", b.name,
                "' has ", b.channels, "x", b.height, "x", b.width);
  ADVGRAD_CHECK(a.classes == b.classes, "concat_datasets: '", a.name, "' has ", a.classes, " classes, '", b.name,
                "' has ", b.classes);
  a.validate();
  b.validate();
  data::Dataset out = a;
  out.name = a.name + "+" + b.name;
  out.pixels.insert(out.pixels.end(), b.pixels.begin(), b.pixels.end());
  out.labels.insert(out.labels.end(), b.labels.begin(), b.labels.end());
  if (out.class_names.empty()) out.class_names = b.class_names;
  return out;
}

}  // namespace advgrad::training
