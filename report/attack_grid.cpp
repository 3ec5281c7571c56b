#include "advgrad/report/attack_grid.h"

#include <algorithm>
#include <vector>

#include "advgrad/core/grad_mode.h"
#include "advgrad/report/figures.h"

namespace advgrad::report {

Figure attack_example_grid(nn::Module& model, const data::Dataset& data, const attacks::AttackOptions& o,
                           std::uint64_t seed, std::int64_t rows, const std::string& title) {
  std::vector<std::int64_t> idx;
  for (std::int64_t i = 0; i < std::min(rows, data.size()); ++i) idx.push_back(i);
  Tensor x = data.images_tensor(idx), y = data.labels_tensor(idx);
  Generator gen(seed);
  attacks::AttackResult a = attacks::pgd(model, x, y, o, gen);
  attacks::EvalModeGuard eval_mode(model);
  NoGradGuard no_grad;
  AdversarialGridOptions go;
  go.title = title;
  go.max_rows = rows;
  if (o.norm == attacks::Norm::Linf) go.eps = o.eps;  // perturbation drawn as delta / eps
  return adversarial_grid(x, a.x_adv, y, model(x), model(a.x_adv), data.class_names, go);
}

}  // namespace advgrad::report
