// The activation experiment: PGD adversarial training of the same CNN with
// ReLU and with smooth activations. ReLU's gradient jumps from 0 to 1, so the
// attack inside training sees a piecewise-constant input gradient; smooth
// activations give it (and the defender) better gradients.
#include <nlohmann/json.hpp>
#include <ostream>

#include "advgrad/training/adversarial_training.h"
#include "advgrad/workshop/experiment.h"

namespace advgrad::workshop {

const std::vector<std::string>& experiment_activations() {
  static const std::vector<std::string> names{"relu", "gelu", "silu", "softplus", "elu"};
  return names;
}

std::vector<RobustRow> activation_experiment(StageRunner& runner, const data::Split& data, const ExperimentBudget& b,
                                             const std::vector<std::string>& only) {
  std::vector<RobustRow> rows;
  for (const auto& act : chosen_rows(experiment_activations(), only, "activations")) {
    // ReLU is the recipe pgd-at: ask for it through recipe_stage, so one model serves both.
    if (act == "relu") {
      rows.push_back(recipe_stage(runner, "pgd-at", data, b));
      rows.back().name = act;
      continue;
    }
    training::OnlineAdversarialOptions o;
    o.attack = "pgd";
    o.mix = "adversarial";
    o.eps = b.eps;
    o.steps = b.at_steps;
    o.seed = b.seed;
    rows.push_back(model_stage(runner, "pgd-at-" + act, act, "PGD-" + std::to_string(b.at_steps) + " AT", data, b,
                               [&](std::ostream& log) {
                                 return train_model(model_config_for(data.train, b, act), trainer_options(b), data,
                                                    training::online_adversarial_loss(o), log);
                               }));
  }
  rows_stage(runner, "activations", rows, b, "PGD-AT by activation on " + data.train.name);
  return rows;
}

}  // namespace advgrad::workshop
