// The recipe experiment: no defence, static FGSM augmentation, online FGSM,
// fast FGSM-RS, PGD adversarial training, NSL and AdvProp, each trained for
// the same budget and measured the same way (clean, FGSM, PGD-40, time).
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "advgrad/nn/models.h"
#include "advgrad/training/adversarial_training.h"
#include "advgrad/training/advprop.h"
#include "advgrad/training/nsl.h"
#include "advgrad/training/overfitting_guard.h"
#include "advgrad/training/static_augmentation.h"
#include "advgrad/workshop/experiment.h"

namespace advgrad::workshop {
namespace {

using nlohmann::json;

training::OnlineAdversarialOptions online(const std::string& attack, const std::string& mix,
                                          const ExperimentBudget& b) {
  training::OnlineAdversarialOptions o;
  o.attack = attack;
  o.mix = mix;
  o.eps = b.eps;
  o.steps = b.at_steps;
  o.seed = b.seed;
  return o;
}

// The FGSM recipes' guard measures PGD on the last training images (not the
// test set, whose numbers the tables report); logging only.
HookFactory guard_hook(const data::Split& data, const ExperimentBudget& b,
                       std::shared_ptr<training::OverfittingGuardLog> log) {
  const std::int64_t n = std::min<std::int64_t>(b.attack_examples, data.train.size());
  std::vector<std::int64_t> idx;
  for (std::int64_t i = data.train.size() - n; i < data.train.size(); ++i) idx.push_back(i);
  data::Dataset holdout = data.train.select(idx);
  training::OverfittingGuardOptions g;
  g.eps = b.eps;
  g.steps = b.sweep_steps;
  g.seed = b.seed;
  return [holdout, g, log](nn::Module& model) { return training::overfitting_guard(model, holdout, g, log); };
}

std::string guard_json(const training::OverfittingGuardLog& log) {
  return json{{"guard_pgd_accuracy", log.pgd_accuracy}, {"collapsed", log.collapsed},
              {"collapse_epoch", log.collapse_epoch}}
      .dump();
}

// Steps (1)-(7) of static augmentation; (1) is the baseline, passed in.
TrainedModel static_fgsm(nn::Module& clean_model, const data::Split& data, const ExperimentBudget& b,
                         std::ostream& log) {
  const double clean_on_clean = eval::evaluate(clean_model, data.test).accuracy;                  // (2)
  const data::Dataset train_adv = training::fgsm_perturbed_copy(clean_model, data.train, b.eps);  // (3)
  const data::Dataset test_adv = training::fgsm_perturbed_copy(clean_model, data.test, b.eps);
  const double clean_on_adv = eval::evaluate(clean_model, test_adv).accuracy;  // (4)
  log << "  baseline: clean test " << report::format_percent(clean_on_clean) << ", FGSM-perturbed test "
      << report::format_percent(clean_on_adv) << "; retraining on " << 2 * data.train.size() << " images\n";
  const data::Split augmented{training::concat_datasets(data.train, train_adv), data.test};
  TrainedModel t = train_model(model_config_for(data.train, b), trainer_options(b), augmented, {}, log);  // (5)
  const double retrained_on_clean = eval::evaluate(*t.model, data.test).accuracy;                         // (6)
  const double retrained_on_adv = eval::evaluate(*t.model, test_adv).accuracy;                            // (7)
  t.extra_json = json{{"baseline_clean", clean_on_clean},       {"baseline_perturbed", clean_on_adv},
                      {"retrained_clean", retrained_on_clean},  {"retrained_perturbed", retrained_on_adv},
                      {"train_images", augmented.train.size()}, {"perturbed_test_images", test_adv.size()}}
                     .dump();
  return t;
}

}  // namespace

const std::vector<std::string>& experiment_recipes() {
  static const std::vector<std::string> names{"none", "static-fgsm", "online-fgsm", "fgsm-rs", "pgd-at", "nsl",
                                              "advprop"};
  return names;
}

std::string recipe_stage_name(const std::string& recipe) {
  if (recipe == "none") return "baseline";
  if (recipe == "pgd-at") return "pgd-at-relu";
  return recipe;
}

RobustRow recipe_stage(StageRunner& runner, const std::string& recipe, const data::Split& data,
                       const ExperimentBudget& b, nn::ModulePtr* model) {
  const std::string stage = recipe_stage_name(recipe);
  const nn::ModelConfig config = model_config_for(data.train, b);
  const training::TrainerOptions options = trainer_options(b);
  const auto plain = [&](const training::Trainer::StepLoss& loss) {
    return [&, loss](std::ostream& log) { return train_model(config, options, data, loss, log); };
  };
  const auto guarded = [&](const training::OnlineAdversarialOptions& o) {
    return [&, o](std::ostream& log) {
      auto glog = std::make_shared<training::OverfittingGuardLog>();
      TrainedModel t =
          train_model(config, options, data, training::online_adversarial_loss(o), log, guard_hook(data, b, glog));
      t.extra_json = guard_json(*glog);
      return t;
    };
  };
  const std::string k = std::to_string(b.at_steps);
  if (recipe == "none") return model_stage(runner, stage, recipe, "standard training", data, b, plain({}), model);
  if (recipe == "static-fgsm") {
    nn::ModulePtr clean;
    recipe_stage(runner, "none", data, b, &clean);  // step (1); reused when it already ran
    return model_stage(runner, stage, recipe, "clean + FGSM copies made once by the baseline", data, b,
                       [&](std::ostream& log) { return static_fgsm(*clean, data, b, log); }, model,
                       {recipe_stage_name("none")});
  }
  if (recipe == "online-fgsm")
    return model_stage(runner, stage, recipe, "FGSM each batch, clean + adversarial", data, b,
                       guarded(online("fgsm", "double-batch", b)), model);
  if (recipe == "fgsm-rs")
    return model_stage(runner, stage, recipe, "random start + FGSM step 1.25 eps, adversarial only", data, b,
                       guarded(online("fgsm-rs", "adversarial", b)), model);
  if (recipe == "pgd-at")
    return model_stage(runner, stage, recipe, "PGD-" + k + " each batch, adversarial only", data, b,
                       plain(training::online_adversarial_loss(online("pgd", "adversarial", b))), model);
  if (recipe == "nsl") {
    training::NslOptions o;
    o.adv_step_size = b.eps;
    return model_stage(runner, stage, recipe, "CE + 0.2 CE(sign-gradient neighbour)", data, b,
                       plain(training::nsl_step_loss(o)), model);
  }
  ADVGRAD_CHECK(recipe == "advprop", "unknown recipe '", recipe, "'");
  nn::ModelConfig dual = config;
  dual.arch = nn::with_batch_norm(config.arch);  // AdvProp needs BatchNorm to split: small-cnn -> small-cnn-bn
  dual.dual_batch_norm = true;
  return model_stage(
      runner, stage, recipe, dual.arch + ", PGD-" + k + " through an auxiliary BN", data, b,
      [&, dual](std::ostream& log) {
        return train_model(dual, options, data, training::advprop_loss(online("pgd", "adversarial", b)), log);
      },
      model);
}

RobustRow advprop_control_stage(StageRunner& runner, const data::Split& data, const ExperimentBudget& b) {
  nn::ModelConfig config = model_config_for(data.train, b);
  config.arch = nn::with_batch_norm(config.arch);
  const training::TrainerOptions options = trainer_options(b);
  return model_stage(runner, "baseline-bn", "none (" + config.arch + ")", "standard training, AdvProp's network", data,
                     b, [&](std::ostream& log) { return train_model(config, options, data, {}, log); });
}

std::vector<RobustRow> recipe_experiment(StageRunner& runner, const data::Split& data, const ExperimentBudget& b,
                                         const std::vector<std::string>& only) {
  std::vector<RobustRow> rows;
  for (const auto& r : chosen_rows(experiment_recipes(), only, "recipes")) rows.push_back(recipe_stage(runner, r, data, b));
  rows_stage(runner, "recipes", rows, b, "PGD accuracy by recipe on " + data.train.name);
  return rows;
}

}  // namespace advgrad::workshop
