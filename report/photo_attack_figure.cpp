#include "advgrad/report/photo_attack_figure.h"

#include "advgrad/core/error.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/report/figures.h"

namespace advgrad::report {

Figure photo_attack_figure(const std::vector<eval::ImageAttack>& attacks, const std::vector<std::string>& names,
                           const attacks::AttackOptions& options, const std::string& title) {
  ADVGRAD_CHECK(!attacks.empty(), "photo_attack_figure: no attacks to draw");
  std::vector<Tensor> x, adv, clean_logits, adv_logits;
  std::vector<std::int64_t> labels;
  for (const auto& a : attacks) {
    x.push_back(a.x), adv.push_back(a.x_adv), clean_logits.push_back(a.clean_logits);
    adv_logits.push_back(a.adv_logits), labels.push_back(a.clean.index);
  }
  AdversarialGridOptions go;
  go.scale = 1;
  go.max_rows = static_cast<std::int64_t>(attacks.size());
  go.eps = options.norm == attacks::Norm::Linf ? options.eps : 0;
  go.label_word = "label";
  go.delta_denominator = 255;
  if (options.targeted)
    for (const auto& a : attacks) go.targets.push_back(a.target);
  go.title = title;
  const Tensor y = from_vector(labels, {static_cast<std::int64_t>(labels.size())});
  return adversarial_grid(cat(x, 0), cat(adv, 0), y, cat(clean_logits, 0), cat(adv_logits, 0), names, go);
}

}  // namespace advgrad::report
