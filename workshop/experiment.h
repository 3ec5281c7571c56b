#pragma once
// The shared vocabulary of the experiments (`advgrad experiment ...`) and the
// workshop, which runs the same experiment functions as its stages: a budget
// (how much data, how many epochs, how hard the evaluation attacks), one
// training run, one robustness evaluation, and a row per trained model that
// becomes CSV, JSON, a report table and a curve.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "advgrad/attacks/attack.h"
#include "advgrad/data/dataset.h"
#include "advgrad/eval/nsl_protocol.h"
#include "advgrad/nn/models.h"
#include "advgrad/nn/module.h"
#include "advgrad/report/figure.h"
#include "advgrad/report/line_chart.h"
#include "advgrad/report/report.h"
#include "advgrad/training/trainer.h"
#include "advgrad/workshop/workshop_stages.h"

namespace advgrad::workshop {

// quick: a CI smoke test (seconds); default: the whole workshop on real
// Fashion-MNIST in about 7.5 minutes on 2 quiet cores (docs/workshop.md); full:
// whole data sets, 10 epochs (8.6 hours of stage time on Fashion-MNIST).
struct ExperimentBudget {
  std::string level = "default";
  std::int64_t train_size = 4000, test_size = 1000;  // 0: the whole split
  std::int64_t epochs = 5, batch_size = 32;  // small batches: more steps for the same images
  std::int64_t attack_examples = 300;  // test images attacked per evaluation
  int pgd_steps = 40;                  // the headline PGD (PGD-40)
  int sweep_steps = 10;                // PGD steps in the eps sweeps
  int at_steps = 4;                    // PGD steps inside PGD adversarial training
  double eps = 0.1;                    // training and headline eps (pixel units)
  std::vector<double> eps_values{0.05, 0.1, 0.2};  // the sweeps
  std::uint64_t seed = 0;
  std::string arch = "small-cnn";
};
// By level name (quick, default, full); eps follows the data (8/255 for RGB).
ExperimentBudget make_budget(const std::string& level, const data::Dataset& train);
const std::vector<std::string>& budget_levels();
// What a stage's results depend on besides other stages: the budget and the
// data set (name and sizes), as JSON text for StageRunner; a resumed run with
// other flags does not reuse the old records.
std::string stage_context(const ExperimentBudget& budget, const data::Split& data);
// The budget's subsets of the split (head of each side).
data::Split budget_split(const data::Split& data, const ExperimentBudget& budget);

// The model config for `data` (input shape, classes) with the budget's arch and seed.
nn::ModelConfig model_config_for(const data::Dataset& data, const ExperimentBudget& budget,
                                 const std::string& activation = "relu");
// Trainer options of the budget (epochs, batch size, seed, no progress bar
// unless stderr is a terminal).
training::TrainerOptions trainer_options(const ExperimentBudget& budget, const std::string& optimizer = "adam",
                                         double lr = 0);

struct TrainedModel {
  nn::ModulePtr model;
  nn::ModelConfig config;
  training::FitResult fit;
  std::string extra_json;  // recipe-specific results (a JSON object's text), or empty
};
// Makes the epoch hook of a run from the model being trained (e.g. the
// catastrophic-overfitting guard).
using HookFactory = std::function<training::Trainer::EpochHook(nn::Module& model)>;
// Builds `config`, trains it with `options` (and `step_loss` / the hook if
// set) on data.train, evaluating on data.test each epoch; logs to `log`.
TrainedModel train_model(const nn::ModelConfig& config, const training::TrainerOptions& options,
                         const data::Split& data, const training::Trainer::StepLoss& step_loss, std::ostream& log,
                         const HookFactory& hook = {});

// One epoch of a training run, as the report draws it (training::EpochStats).
struct EpochPoint {
  std::int64_t epoch = 0;
  double train_loss = 0, train_accuracy = 0, test_loss = 0, test_accuracy = 0;
};

// One trained model's numbers. Accuracies in [0, 1].
struct RobustRow {
  std::string name, detail;          // detail: e.g. "lr 0.001"
  double clean = 0;                  // on the whole test split
  double fgsm = 0, pgd = 0;          // at budget.eps on attack_examples; pgd = PGD-<pgd_steps>
  std::vector<double> fgsm_sweep, pgd_sweep;  // at budget.eps_values (PGD-<sweep_steps>)
  // The n behind each accuracy, for its 95% interval (eval/interval.h): the
  // test split for `clean`, the attacked images for the rest. 0 in records
  // written before they were kept.
  std::int64_t clean_count = 0, attack_count = 0;
  double train_seconds = 0;
  std::string model_file;            // relative to the output directory
  std::string extra_json;            // TrainedModel::extra_json, kept with the row
  std::vector<EpochPoint> history;   // the training curves
  // A model at chance is a failed training (training/training_verdict.h),
  // reported with its likely cause and left out of the figures.
  bool failed = false;
  std::string failure_cause;
};
// The workshop's attacks: FGSM (one step of eps) and PGD with a random start
// and Madry et al.'s step 2.5 eps / steps (the path can cross the ball).
attacks::AttackOptions fgsm_options(double eps);
attacks::AttackOptions pgd_options(double eps, int steps);
// Clean accuracy, FGSM and PGD-<pgd_steps> at eps, and both sweeps.
RobustRow evaluate_row(nn::Module& model, const data::Dataset& test, const ExperimentBudget& budget, std::string name);
// The training half of a row: its curves, time and the failed-training verdict.
void record_training(RobustRow& row, const training::FitResult& fit, std::int64_t classes);

std::string rows_to_csv(const std::vector<RobustRow>& rows, const ExperimentBudget& budget);
std::string row_to_json(const RobustRow& row);  // JSON text
RobustRow row_from_json(const std::string& json);
std::string rows_to_json(const std::vector<RobustRow>& rows, const ExperimentBudget& budget, const std::string& what);
std::string budget_to_json(const ExperimentBudget& budget);  // a JSON object's text
// "model | setting | clean | FGSM | PGD-40 | train s", each accuracy with its
// 95% interval; a failed training shows as such. The sweeps are in the
// charts and the CSV.
report::ReportTable rows_table(const std::vector<RobustRow>& rows, const ExperimentBudget& budget,
                               const std::string& caption);
// One sentence per failed training among `rows`, with its likely cause.
std::vector<std::string> failed_training_notes(const std::vector<RobustRow>& rows);
// PGD accuracy against eps (clean at eps 0) with 95% bands, one series per
// row; failed trainings are left out.
report::Figure rows_chart(const std::vector<RobustRow>& rows, const ExperimentBudget& budget, const std::string& title);

// Writes `figure` as <stem>.svg and <stem>.png (report::write_figure) among the stage's files.
void write_stage_figure(StageFiles& files, const report::Figure& figure, const std::string& stem);

// Writes <prefix>.csv, <prefix>.json and the chart <prefix>.svg/.png into the stage's files.
void write_rows(StageFiles& files, const std::string& prefix, const std::vector<RobustRow>& rows,
                const ExperimentBudget& budget, const std::string& title);

// The summary stage `name` of an experiment: write_rows(name, ...) and the rows
// as its JSON record.
void rows_stage(StageRunner& runner, const std::string& name, const std::vector<RobustRow>& rows,
                const ExperimentBudget& budget, const std::string& title);

// Trains (or reloads, on resume) one model as the stage `stage`: `make`
// trains it; the model is saved as <stage>.safetensors and evaluated. Returns
// its row; `model` receives the trained (or reloaded) model when not null.
// `inputs` are the stages `make` reads (none: it needs only the data and the
// budget), so a resumed run reuses the model unless one of them ran again.
using TrainFn = std::function<TrainedModel(std::ostream& log)>;
RobustRow model_stage(StageRunner& runner, const std::string& stage, const std::string& name, const std::string& detail,
                      const data::Split& data, const ExperimentBudget& budget, const TrainFn& make,
                      nn::ModulePtr* model = nullptr, const std::vector<std::string>& inputs = {});

// --- the experiments -------------------------------------------------------
// Each runs its models as stages of `runner` (so they resume), writes
// <name>.csv, <name>.json and <name>.svg/.png, and returns its rows. `only` picks
// some of its rows (names from its list, in any order; empty: all of them),
// so that one table can be trained by several processes at once, each
// running its own rows into the same output directory; the table a run
// writes holds the rows it ran.

// The rows to run: the names of `all` that are in `only`, in the order of
// `all` (every one of them when `only` is empty). An advgrad::Error names an
// unknown row and the experiment's rows.
std::vector<std::string> chosen_rows(const std::vector<std::string>& all, const std::vector<std::string>& only,
                                     const std::string& experiment);

// The same model trained with sgd, sgd-momentum, nesterov, adam, rmsprop and
// adagrad for the same budget: does the optimizer change robustness?
std::vector<RobustRow> optimizer_experiment(StageRunner& runner, const data::Split& data,
                                            const ExperimentBudget& budget, const std::vector<std::string>& only = {});
const std::vector<std::string>& experiment_optimizers();

// The defences, each from the same budget (experiment_recipes.cpp):
//   none         standard training (stage "baseline")
//   static-fgsm  the seven steps: FGSM copies of train and test made once with
//                the baseline, retrain on clean + copies (extra_json: the steps' accuracies)
//   online-fgsm  FGSM adversarial training, clean + adversarial half-and-half (Goodfellow et al. 2015)
//   fgsm-rs      "fast" FGSM from a random start, step 1.25 eps (Wong et al. 2020)
//   pgd-at       PGD-<at_steps> adversarial training (Madry et al. 2018; stage "pgd-at-relu")
//   nsl          NSL adversarial regularisation, multiplier 0.2, step eps
//   advprop      AdvProp: the arch with BatchNorm (nn::with_batch_norm: small-cnn -> small-cnn-bn)
//                with dual BNs, PGD examples through the auxiliary BN
// The FGSM recipes run with the catastrophic-overfitting guard (logging only;
// extra_json: PGD accuracy per epoch, collapsed or not).
const std::vector<std::string>& experiment_recipes();
// The stage name of a recipe ("baseline", "pgd-at-relu", else the recipe).
std::string recipe_stage_name(const std::string& recipe);
RobustRow recipe_stage(StageRunner& runner, const std::string& recipe, const data::Split& data,
                       const ExperimentBudget& budget, nn::ModulePtr* model = nullptr);
std::vector<RobustRow> recipe_experiment(StageRunner& runner, const data::Split& data, const ExperimentBudget& budget,
                                         const std::vector<std::string>& only = {});
// AdvProp's control, the stage "baseline-bn": the network AdvProp trains
// (nn::with_batch_norm of the budget's arch, plain BatchNorm) with standard
// training, so AdvProp's row can be read against the same network.
RobustRow advprop_control_stage(StageRunner& runner, const data::Split& data, const ExperimentBudget& budget);

// NSL's MNIST-tutorial protocol (nsl_protocol.h) on the baseline and the "nsl"
// recipe's model (experiment_nsl.cpp), as the stage "nsl-protocol": at
// budget.eps, clean, base-neighbour, white-box FGSM and PGD-<pgd_steps>
// accuracy, all on the first attack_examples test images; and the neighbour
// and FGSM accuracies over budget.eps_values (the figure). Writes
// nsl.csv, nsl.json and nsl.png; returns the headline result.
eval::NslProtocolResult nsl_protocol_stage(StageRunner& runner, const data::Split& data, const ExperimentBudget& budget,
                                           nn::Module& base, nn::Module& nsl);
report::ReportTable nsl_protocol_table(const eval::NslProtocolResult& result, const std::string& caption);
// Stages "baseline" and "nsl" (shared with the recipes and the workshop), then
// "nsl-protocol".
eval::NslProtocolResult nsl_experiment(StageRunner& runner, const data::Split& data, const ExperimentBudget& budget);

// PGD adversarial training with each activation (relu, gelu, silu, softplus,
// elu): do smooth activations, whose input gradients are informative
// everywhere, train to more robust models (Xie et al. 2020, "Smooth
// adversarial training")? Stages "pgd-at-<activation>".
const std::vector<std::string>& experiment_activations();
std::vector<RobustRow> activation_experiment(StageRunner& runner, const data::Split& data,
                                             const ExperimentBudget& budget, const std::vector<std::string>& only = {});

// EfficientNet-B0 scaled to Fashion-MNIST (experiment_efficientnet.cpp;
// docs/efficientnet-variants.md), its rows:
//   small-cnn               the reference CNN, standard training
//   b0-small                efficientnet-b0-small, standard training (stage "b0-small")
//   b0-small-advprop        the same network with dual BNs, AdvProp with PGD-<at_steps> at eps
//   b0-small-noised         Noisy Student's ablation: efficientnet-b0-small-noisy under the
//                           student's input noise on the labelled half, no pseudo-labels
//   b0-small-noisy-student  Noisy Student: b0-small's model as the teacher, a fresh
//                           efficientnet-b0-small-noisy student (dropout, stochastic
//                           depth, input noise) on the labelled half + soft pseudo-labels
//                           of the unlabelled half (confidence >= 0.3), one round
// Every row trains on the first half of data.train; the second half is Noisy
// Student's unlabelled pool (its labels only score the pseudo-labels). Rows:
// clean, FGSM, PGD-<pgd_steps> and the mean accuracy over the five common
// corruptions at severity 3 (extra_json "corruption", on the whole test
// split), training time (Noisy Student's with its teacher's apart) and the
// parameter count. Writes efficientnet.csv / .json / .md (the table) and the
// figures efficientnet.svg/.png (bars with 95% whiskers) and
// efficientnet_eps.svg/.png (PGD against eps).
const std::vector<std::string>& efficientnet_experiment_rows();
// The budget it runs: at the default level, at most 3 epochs and 200 attacked
// images (a B0 trains about 8x slower than small-cnn on a CPU); quick and
// full as given.
ExperimentBudget efficientnet_budget(const ExperimentBudget& budget);
report::ReportTable efficientnet_table(const std::vector<RobustRow>& rows, const ExperimentBudget& budget);
std::vector<RobustRow> efficientnet_experiment(StageRunner& runner, const data::Split& data,
                                               const ExperimentBudget& budget,
                                               const std::vector<std::string>& only = {});

}  // namespace advgrad::workshop
