// The optimizer experiment: one architecture, one budget, six optimizers.
// Robustness is a property of the function learnt, and the optimizer shapes
// which function that is (adaptive methods are reported to land in sharper,
// less robust minima); this puts numbers on it for the data at hand.
#include <nlohmann/json.hpp>
#include <sstream>

#include "advgrad/workshop/experiment.h"

namespace advgrad::workshop {

const std::vector<std::string>& experiment_optimizers() {
  static const std::vector<std::string> names{"sgd", "sgd-momentum", "nesterov", "adam", "rmsprop", "adagrad"};
  return names;
}

namespace {
// Learning rates that train the small models of the budgets in a few epochs.
// Plain SGD gets a larger step than its library default (0.01), which would
// leave it under-trained, and then it is the training, not the optimizer, that
// the table measures.
double experiment_lr(const std::string& optimizer) {
  if (optimizer == "sgd") return 0.05;
  if (optimizer == "sgd-momentum" || optimizer == "nesterov" || optimizer == "adagrad") return 0.01;
  return 1e-3;  // adam, rmsprop
}
}  // namespace

std::vector<RobustRow> optimizer_experiment(StageRunner& runner, const data::Split& data, const ExperimentBudget& b,
                                            const std::vector<std::string>& only) {
  std::vector<RobustRow> rows;
  for (const auto& opt : chosen_rows(experiment_optimizers(), only, "optimizers")) {
    const double lr = experiment_lr(opt);
    std::ostringstream detail;
    detail << "lr " << lr;
    if (opt == "adam") {
      // Adam at 1e-3 is the baseline recipe itself (same data, seed and
      // weights): its stage is reused rather than trained twice.
      RobustRow row = recipe_stage(runner, "none", data, b);
      row.name = opt;
      row.detail = detail.str();
      rows.push_back(row);
      continue;
    }
    rows.push_back(model_stage(runner, "optimizer-" + opt, opt, detail.str(), data, b, [&](std::ostream& log) {
      return train_model(model_config_for(data.train, b), trainer_options(b, opt, lr), data, {}, log);
    }));
  }
  rows_stage(runner, "optimizers", rows, b, "PGD accuracy by optimizer on " + data.train.name);
  return rows;
}

}  // namespace advgrad::workshop
