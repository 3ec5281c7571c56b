#include "advgrad/workshop/experiment.h"

#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "advgrad/attacks/attack.h"
#include "advgrad/core/error.h"
#include "advgrad/eval/interval.h"
#include "advgrad/eval/robust_eval.h"
#include "advgrad/io/atomic_file.h"
#include "advgrad/nn/model_io.h"
#include "advgrad/nn/safetensors.h"
#include "advgrad/training/option_names.h"
#include "advgrad/training/training_verdict.h"
#include "advgrad/workshop/report_text.h"

namespace advgrad::workshop {

const std::vector<std::string>& budget_levels() {
  static const std::vector<std::string> levels{"quick", "default", "full"};
  return levels;
}

ExperimentBudget make_budget(const std::string& level, const data::Dataset& train) {
  ExperimentBudget b;
  b.level = level;
  if (level == "quick") {
    // Every code path once, on a few hundred images: seconds, even under ASan.
    b.train_size = 300;
    b.test_size = 100;
    b.epochs = 1;
    b.batch_size = 50;
    b.attack_examples = 40;
    b.pgd_steps = 5;
    b.sweep_steps = 3;
    b.at_steps = 2;
    b.eps_values = {0.1, 0.2};
  } else if (level == "full") {
    // Real data sets in full; the evaluation attacks at their textbook strength.
    b.train_size = 0;
    b.test_size = 0;
    b.epochs = 10;
    b.batch_size = 128;
    b.attack_examples = 1000;
    b.at_steps = 7;
    b.eps_values = {0.05, 0.1, 0.15, 0.2, 0.3};
  } else {
    ADVGRAD_CHECK(level == "default", "unknown budget '", level, "' (expected quick, default or full)");
  }
  // RGB images (CIFAR-10): the customary 8/255 budget, sweeps scaled alike.
  if (train.channels == 3) {
    const double scale = (8.0 / 255.0) / b.eps;
    b.eps = 8.0 / 255.0;
    for (double& e : b.eps_values) e *= scale;
  }
  return b;
}

data::Split budget_split(const data::Split& data, const ExperimentBudget& b) {
  data::Split s{b.train_size > 0 ? data.train.head(b.train_size) : data.train,
                b.test_size > 0 ? data.test.head(b.test_size) : data.test};
  return s;
}

nn::ModelConfig model_config_for(const data::Dataset& data, const ExperimentBudget& b, const std::string& activation) {
  nn::ModelConfig c;
  c.arch = b.arch;
  c.channels = data.channels;
  c.height = data.height;
  c.width = data.width;
  c.classes = data.classes;
  c.activation = activation;
  c.seed = b.seed;
  return c;
}

std::vector<std::string> chosen_rows(const std::vector<std::string>& all, const std::vector<std::string>& only,
                                     const std::string& experiment) {
  for (const auto& name : only)
    ADVGRAD_CHECK(training::is_one_of(name, all), "experiment ", experiment, " has no row '", name,
                  "' (its rows: ", training::joined_names(all), ")");
  if (only.empty()) return all;
  std::vector<std::string> rows;
  for (const auto& name : all)
    if (training::is_one_of(name, only)) rows.push_back(name);
  return rows;
}

std::string stage_context(const ExperimentBudget& b, const data::Split& data) {
  const nlohmann::json j{{"budget", nlohmann::json::parse(budget_to_json(b))},
                         {"data", data.train.name},
                         {"train_images", data.train.size()},
                         {"test_images", data.test.size()}};
  return j.dump();
}

training::TrainerOptions trainer_options(const ExperimentBudget& b, const std::string& optimizer, double lr) {
  training::TrainerOptions o;
  o.epochs = b.epochs;
  o.batch_size = b.batch_size;
  o.seed = b.seed;
  o.optimizer = optimizer;
  o.lr = lr;
  return o;
}

TrainedModel train_model(const nn::ModelConfig& config, const training::TrainerOptions& options,
                         const data::Split& data, const training::Trainer::StepLoss& step_loss, std::ostream& log,
                         const HookFactory& hook) {
  training::Trainer trainer(nn::build_model(config), config, options);
  if (step_loss) trainer.set_step_loss(step_loss);
  if (hook) trainer.set_epoch_hook(hook(trainer.model()));
  training::FitResult fit = trainer.fit(data.train, data.test, log);
  ADVGRAD_CHECK(!fit.interrupted, "training interrupted (Ctrl-C)");
  // The Trainer owns the model; a fresh module with its weights outlives it.
  nn::ModulePtr model = nn::build_model(config);
  model->load_state_dict(trainer.model().state_dict());
  return {model, config, std::move(fit), {}};
}

attacks::AttackOptions fgsm_options(double eps) {
  attacks::AttackOptions o;
  o.eps = o.step_size = eps;
  o.steps = 1;
  return o;
}

attacks::AttackOptions pgd_options(double eps, int steps) {
  attacks::AttackOptions o;
  o.eps = eps;
  o.steps = steps;
  o.step_size = 2.5 * eps / steps;  // Madry et al.'s rule: the path can cross the ball
  o.random_start = true;
  return o;
}

RobustRow evaluate_row(nn::Module& model, const data::Dataset& test, const ExperimentBudget& b, std::string name) {
  RobustRow r;
  r.name = std::move(name);
  r.clean = eval::evaluate(model, test).accuracy;
  const attacks::AttackOptions fgsm = fgsm_options(b.eps), pgd = pgd_options(b.eps, b.pgd_steps);
  const eval::RobustResult under_fgsm = eval::robust_accuracy(model, test, fgsm, b.seed, 250, b.attack_examples);
  r.fgsm = under_fgsm.robust_accuracy;
  r.pgd = eval::robust_accuracy(model, test, pgd, b.seed, 250, b.attack_examples).robust_accuracy;
  r.clean_count = test.size();
  r.attack_count = under_fgsm.count;
  attacks::AttackOptions sweep = pgd;
  sweep.steps = b.sweep_steps;
  for (const auto& s : eval::eps_sweep(model, test, fgsm, b.eps_values, 1.0, b.seed, b.attack_examples))
    r.fgsm_sweep.push_back(s.robust_accuracy);
  for (const auto& s :
       eval::eps_sweep(model, test, sweep, b.eps_values, 2.5 / b.sweep_steps, b.seed, b.attack_examples))
    r.pgd_sweep.push_back(s.robust_accuracy);
  return r;
}

namespace {

std::string eps_text(double e) {
  std::ostringstream s;
  s << std::setprecision(3) << e;
  return s.str();
}
std::string quoted_csv(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

nlohmann::json row_json(const RobustRow& r) {
  nlohmann::json j{{"name", r.name},           {"detail", r.detail},         {"clean", r.clean},
                   {"fgsm", r.fgsm},           {"pgd", r.pgd},               {"fgsm_sweep", r.fgsm_sweep},
                   {"pgd_sweep", r.pgd_sweep}, {"train_seconds", r.train_seconds}, {"model_file", r.model_file},
                   {"clean_count", r.clean_count}, {"attack_count", r.attack_count}, {"failed", r.failed},
                   {"failure_cause", r.failure_cause}};
  nlohmann::json history = nlohmann::json::array();
  for (const auto& h : r.history)
    history.push_back({{"epoch", h.epoch},
                       {"train_loss", h.train_loss},
                       {"train_accuracy", h.train_accuracy},
                       {"test_loss", h.test_loss},
                       {"test_accuracy", h.test_accuracy}});
  j["history"] = history;
  if (!r.extra_json.empty()) j["extra"] = nlohmann::json::parse(r.extra_json);
  return j;
}

}  // namespace

std::string row_to_json(const RobustRow& r) { return row_json(r).dump(); }

void record_training(RobustRow& r, const training::FitResult& fit, std::int64_t classes) {
  r.train_seconds = fit.seconds;
  r.history.clear();
  for (const auto& h : fit.history)
    r.history.push_back({h.epoch, h.train_loss, h.train_accuracy, h.test_loss, h.test_accuracy});
  const training::TrainingVerdict v = training::judge_training(fit, r.clean, std::max<std::int64_t>(1, r.clean_count), classes);
  r.failed = v.failed;
  r.failure_cause = v.cause;
}

RobustRow row_from_json(const std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  ADVGRAD_CHECK(!j.is_discarded() && j.is_object(), "result row: not a JSON object");
  try {
    RobustRow r;
    r.name = j.at("name").get<std::string>();
    r.detail = j.value("detail", "");
    r.clean = j.at("clean").get<double>();
    r.fgsm = j.at("fgsm").get<double>();
    r.pgd = j.at("pgd").get<double>();
    r.fgsm_sweep = j.at("fgsm_sweep").get<std::vector<double>>();
    r.pgd_sweep = j.at("pgd_sweep").get<std::vector<double>>();
    r.train_seconds = j.at("train_seconds").get<double>();
    r.model_file = j.value("model_file", "");
    if (j.contains("extra")) r.extra_json = j["extra"].dump();
    r.clean_count = j.value("clean_count", std::int64_t{0});
    r.attack_count = j.value("attack_count", std::int64_t{0});
    r.failed = j.value("failed", false);
    r.failure_cause = j.value("failure_cause", "");
    for (const auto& h : j.value("history", nlohmann::json::array()))
      r.history.push_back({h.at("epoch").get<std::int64_t>(), h.at("train_loss").get<double>(),
                           h.at("train_accuracy").get<double>(), h.at("test_loss").get<double>(),
                           h.at("test_accuracy").get<double>()});
    return r;
  } catch (const nlohmann::json::exception& e) {
    detail::fail("result row: ", e.what());
  }
}

std::string rows_to_csv(const std::vector<RobustRow>& rows, const ExperimentBudget& b) {
  std::ostringstream s;
  s << "name,detail,clean,fgsm_eps" << b.eps << ",pgd" << b.pgd_steps << "_eps" << b.eps;
  // The sweeps' columns are named apart from the headline ones: eps_values
  // usually holds the headline eps too (one name per column, as in nsl.csv).
  for (double e : b.eps_values) s << ",sweep_fgsm_eps" << e;
  for (double e : b.eps_values) s << ",sweep_pgd" << b.sweep_steps << "_eps" << e;
  s << ",train_seconds,model_file\n";
  for (const auto& r : rows) {
    s << quoted_csv(r.name) << ',' << quoted_csv(r.detail) << ',' << r.clean << ',' << r.fgsm << ',' << r.pgd;
    for (double v : r.fgsm_sweep) s << ',' << v;
    for (double v : r.pgd_sweep) s << ',' << v;
    s << ',' << r.train_seconds << ',' << quoted_csv(r.model_file) << '\n';
  }
  return s.str();
}

std::string rows_to_json(const std::vector<RobustRow>& rows, const ExperimentBudget& b, const std::string& what) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : rows) list.push_back(row_json(r));
  return nlohmann::json{{"experiment", what}, {"budget", nlohmann::json::parse(budget_to_json(b))}, {"rows", list}}
      .dump(2);
}

std::string budget_to_json(const ExperimentBudget& b) {
  return nlohmann::json{{"level", b.level}, {"train_size", b.train_size}, {"test_size", b.test_size},
                        {"epochs", b.epochs}, {"batch_size", b.batch_size}, {"attack_examples", b.attack_examples},
                        {"pgd_steps", b.pgd_steps}, {"sweep_steps", b.sweep_steps}, {"at_steps", b.at_steps},
                        {"eps", b.eps}, {"eps_values", b.eps_values}, {"seed", b.seed}, {"arch", b.arch}}
      .dump();
}

report::ReportTable rows_table(const std::vector<RobustRow>& rows, const ExperimentBudget& b,
                               const std::string& caption) {
  report::ReportTable t;
  t.caption = caption + "; accuracies with their 95% intervals";
  t.header = {"model", "setting", "clean", "FGSM eps " + eps_text(b.eps),
              "PGD-" + std::to_string(b.pgd_steps) + " eps " + eps_text(b.eps), "train s"};
  for (const auto& r : rows) {
    if (r.failed) {
      t.rows.push_back({r.name, r.detail, "failed training: " + report::format_percent(r.clean) + ", at chance", "-",
                        "-", report::format_fixed(r.train_seconds, 1)});
      continue;
    }
    t.rows.push_back({r.name, r.detail, accuracy_text(r.clean, r.clean_count), accuracy_text(r.fgsm, r.attack_count),
                      accuracy_text(r.pgd, r.attack_count), report::format_fixed(r.train_seconds, 1)});
  }
  return t;
}

std::vector<std::string> failed_training_notes(const std::vector<RobustRow>& rows) {
  std::vector<std::string> notes;
  for (const auto& r : rows)
    if (r.failed)
      notes.push_back("Failed training: " + r.name + " (" + r.detail + ") reached " + report::format_percent(r.clean) +
                      " clean, which cannot be told apart from guessing; it is left out of the figures and is not a "
                      "result about robustness. Likely cause: " + r.failure_cause + ".");
  return notes;
}

report::Figure rows_chart(const std::vector<RobustRow>& rows, const ExperimentBudget& b, const std::string& title) {
  std::vector<report::ChartSeries> series;
  for (const auto& r : rows) {
    if (r.failed) continue;  // a model at chance is not a result (training_verdict.h)
    report::ChartSeries s{r.name, {0.0}, {r.clean}, {}, {}};
    for (std::size_t i = 0; i < r.pgd_sweep.size() && i < b.eps_values.size(); ++i) {
      s.x.push_back(b.eps_values[i]);
      s.y.push_back(r.pgd_sweep[i]);
    }
    if (r.clean_count > 0 && r.attack_count > 0)
      for (std::size_t i = 0; i < s.y.size(); ++i) {
        const eval::Interval ci = eval::accuracy_interval(s.y[i], i == 0 ? r.clean_count : r.attack_count);
        s.y_lo.push_back(ci.lo);
        s.y_hi.push_back(ci.hi);
      }
    series.push_back(std::move(s));
  }
  if (series.empty()) series.push_back({"(every model failed to train)", {0.0}, {0.0}, {}, {}});
  report::ChartOptions o;
  o.title = title;
  o.x_label = "eps (pixel units), PGD-" + std::to_string(b.sweep_steps) + "; bands: 95% intervals";
  o.y_label = "accuracy";
  return report::line_chart(series, o);
}

void write_rows(StageFiles& files, const std::string& prefix, const std::vector<RobustRow>& rows,
                const ExperimentBudget& b, const std::string& title) {
  io::write_file_atomically(files.file(prefix + ".csv"), rows_to_csv(rows, b));
  io::write_file_atomically(files.file(prefix + ".json"), rows_to_json(rows, b, prefix) + "\n");
  write_stage_figure(files, rows_chart(rows, b, title), prefix);
}

void write_stage_figure(StageFiles& files, const report::Figure& figure, const std::string& stem) {
  files.file(stem + ".svg");
  files.file(stem + ".png");
  report::write_figure(figure, files.dir(), stem);
}

void rows_stage(StageRunner& runner, const std::string& name, const std::vector<RobustRow>& rows,
                const ExperimentBudget& b, const std::string& title) {
  runner.run(name, [&](StageFiles& files) {
    write_rows(files, name, rows, b, title);
    nlohmann::json j = nlohmann::json::array();
    for (const auto& r : rows) j.push_back(nlohmann::json::parse(row_to_json(r)));
    return j.dump();
  });
}

RobustRow model_stage(StageRunner& runner, const std::string& stage, const std::string& name, const std::string& detail,
                      const data::Split& data, const ExperimentBudget& b, const TrainFn& make, nn::ModulePtr* model,
                      const std::vector<std::string>& inputs) {
  const std::string file = stage + ".safetensors";
  const std::string results = runner.run(stage, inputs, [&](StageFiles& files) {
    TrainedModel t = make(runner.log());
    nn::save_model(files.file(file), *t.model, t.config, {{"advgrad.stage", stage}, {"advgrad.data", data.train.name}});
    RobustRow r = evaluate_row(*t.model, data.test, b, name);
    r.detail = detail;
    record_training(r, t.fit, data.test.classes);
    r.model_file = file;
    r.extra_json = t.extra_json;
    runner.log() << "  " << name << ": clean " << report::format_percent(r.clean) << ", FGSM "
                 << report::format_percent(r.fgsm) << ", PGD-" << b.pgd_steps << " " << report::format_percent(r.pgd)
                 << " (eps " << b.eps << "), trained in " << std::fixed << std::setprecision(1) << r.train_seconds
                 << " s\n"
                 << std::defaultfloat;
    if (model) *model = t.model;
    return row_to_json(r);
  });
  if (model && !*model) *model = nn::load_model(runner.path(file)).model;
  return row_from_json(results);
}

}  // namespace advgrad::workshop
