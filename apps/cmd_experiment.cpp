// advgrad experiment NAME: one of the workshop's experiments on its own, with
// its CSV, JSON and figure (the work is in training/experiment*.cpp, which the
// workshop runs as its stages).
#include <iostream>

#include "advgrad/core/error.h"
#include "advgrad/workshop/experiment.h"
#include "advgrad/workshop/experiment_transfer.h"
#include "advgrad/workshop/workshop_stages.h"
#include "commands.h"

namespace advgrad::cli {

Command add_experiment(CLI::App& app, Common& /*common*/) {
  auto* cmd = app.add_subcommand("experiment", "run one experiment: optimizers, activations, recipes, nsl, efficientnet or transfer");
  cmd->require_subcommand(1);
  struct Flags {
    DataFlags data;
    std::string out;
    bool quick = false, full = false, resume = false;
    std::uint64_t seed = 0;
    std::vector<std::string> only;
  };
  auto f = std::make_shared<Flags>();
  struct Experiment {
    const char* name;
    const char* help;
    // Runs the experiment's rows in `only` (empty: all of them).
    std::function<void(workshop::StageRunner&, const data::Split&, const workshop::ExperimentBudget&,
                       const std::vector<std::string>& only)>
        run;
    // The experiment's own budget (its data sizes), when it has one.
    std::function<workshop::ExperimentBudget(const workshop::ExperimentBudget&)> budget = {};
  };
  static const std::vector<Experiment> experiments{
      {"optimizers",
       "the same CNN trained with sgd, sgd-momentum, nesterov, adam, rmsprop and adagrad: clean, "
       "FGSM and PGD accuracy at a few eps",
       [](auto& runner, const auto& data, const auto& b, const auto& only) {
         workshop::optimizer_experiment(runner, data, b, only);
       }},
      {"activations", "PGD adversarial training with relu, gelu, silu, softplus and elu",
       [](auto& runner, const auto& data, const auto& b, const auto& only) {
         workshop::activation_experiment(runner, data, b, only);
       }},
      {"recipes",
       "none, static FGSM, online FGSM, fast FGSM-RS, PGD-AT, NSL, AdvProp: clean, FGSM and PGD-40 "
       "accuracy and training time",
       [](auto& runner, const auto& data, const auto& b, const auto& only) {
         workshop::recipe_experiment(runner, data, b, only);
       }},
      {"nsl",
       "NSL's MNIST-tutorial protocol: the baseline and the NSL model on the baseline's one-step "
       "neighbours of the test set, and each under white-box FGSM and PGD",
       [](auto& runner, const auto& data, const auto& b, const auto& only) {
         ADVGRAD_CHECK(only.empty(), "experiment nsl has no rows to choose with --only: it runs its two models");
         workshop::nsl_experiment(runner, data, b);
       }},
      {"efficientnet",
       "EfficientNet-B0 scaled to 28 px: plain, AdvProp and Noisy Student, next to small-cnn; clean, FGSM, PGD "
       "and corruption accuracy (docs/efficientnet-variants.md)",
       [](auto& runner, const auto& data, const auto& b, const auto& only) {
         workshop::efficientnet_experiment(runner, data, b, only);
       }},
      {"transfer",
       "pretrained EfficientNet-Lite0 frozen (cached features, new head), fine-tuned and adversarially "
       "fine-tuned, and small-cnn from scratch, on 100, 1,000 and 10,000 training images "
       "(docs/transfer-learning.md)",
       [](auto& runner, const auto& data, const auto& b, const auto& only) {
         workshop::transfer_experiment(runner, data, workshop::transfer_budget(b), only);
       },
       [](const workshop::ExperimentBudget& b) { return workshop::transfer_budget(b).base; }}};
  auto chosen = std::make_shared<const Experiment*>(nullptr);
  for (const auto& e : experiments) {
    auto* sub = cmd->add_subcommand(e.name, e.help);
    sub->callback([chosen, &e] { *chosen = &e; });
    sub->fallthrough();  // `experiment recipes --quick` as well as `experiment --quick recipes`
  }
  // The flags belong to `experiment` and may come before or after the name.
  cmd->fallthrough();
  f->data.add_to(cmd);
  auto* quick = cmd->add_flag("--quick", f->quick, "the smoke-test budget");
  cmd->add_flag("--full", f->full, "the full budget")->excludes(quick);
  cmd->add_option("--out", f->out, "output directory (default: experiment-NAME)");
  cmd->add_flag("--resume", f->resume, "skip the models a previous run into --out completed");
  cmd->add_option("--seed", f->seed, "seed")->check(non_negative());
  cmd->add_option("--only", f->only,
                  "run only these rows of the experiment (comma-separated, e.g. --only gelu,elu); several processes "
                  "can each run some rows into one --out, and a last run without --only reuses them all")
      ->delimiter(',');
  return {cmd, [f, chosen] {
    const Experiment& e = **chosen;
    const std::string out = f->out.empty() ? std::string("experiment-") + e.name : f->out;
    const data::Split full = f->data.load(f->seed);
    workshop::ExperimentBudget b = workshop::make_budget(f->quick ? "quick" : f->full ? "full" : "default", full.train);
    b.seed = f->seed;
    if (e.budget) b = e.budget(b);
    const data::Split data = workshop::budget_split(full, b);
    workshop::StageRunner runner(out, f->resume, std::cout, workshop::stage_context(b, data));
    e.run(runner, data, b, f->only);
    std::cout << "wrote " << out << "/" << e.name << ".csv, " << e.name << ".json, " << e.name << ".svg, " << e.name << ".png\n";
    return 0;
  }};
}

}  // namespace advgrad::cli
