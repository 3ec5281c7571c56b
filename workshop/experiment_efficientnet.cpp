// The EfficientNet experiment: EfficientNet-B0 scaled down to Fashion-MNIST
// (nn::efficientnet_b0_small, arch efficientnet-b0-small) trained plainly,
// with AdvProp (Xie et al. 2020, "Adversarial Examples Improve Image
// Recognition") and with Noisy Student (Xie et al. 2020, "Self-training with
// Noisy Student improves ImageNet classification"), next to small-cnn; each
// measured clean, under FGSM and PGD, and on the common corruptions, every
// accuracy with its 95% interval. Both papers claim better *clean* accuracy
// (and Noisy Student better robustness to corruptions and adversarial
// examples); this puts the claims to a small, honest test. Beside them, the
// pretrained EfficientNet-Lite0 fine-tuned on the same images (lite0_stage).
#include <algorithm>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "advgrad/core/ops/ops.h"
#include "advgrad/data/image_transforms.h"
#include "advgrad/eval/corruptions.h"
#include "advgrad/eval/interval.h"
#include "advgrad/io/atomic_file.h"
#include "advgrad/report/bar_chart.h"
#include "advgrad/training/advprop.h"
#include "advgrad/training/noisy_student.h"
#include "advgrad/workshop/experiment.h"
#include "advgrad/workshop/experiment_transfer.h"
#include "advgrad/workshop/report_text.h"

namespace advgrad::workshop {
namespace {

using nlohmann::json;

constexpr const char* kPlainStage = "b0-small";
constexpr const char* kLite0Row = "lite0-fine-tuned";

// Noisy Student's confidence filter: the paper keeps ImageNet-trained
// teachers' pseudo-labels with confidence >= 0.3 (section 3.1, "data filtering").
constexpr double kConfidenceThreshold = 0.3;

nn::ModelConfig arch_config(const data::Dataset& train, const ExperimentBudget& b, const std::string& arch) {
  nn::ModelConfig c = model_config_for(train, b);
  c.arch = arch;
  return c;
}

// The model's mean accuracy over the common corruptions (eval/corruptions.h,
// all five at severity 3) on the whole test split, added to its extra JSON
// with the per-corruption numbers and the parameter count. `view` converts
// the corrupted images for a model that wants other ones (the Lite0 row).
TrainedModel with_corruptions(TrainedModel t, const data::Dataset& test, const ExperimentBudget& b,
                              const eval::DatasetView& view = {}) {
  const auto results = eval::corruption_accuracy(*t.model, test, eval::corruption_names(), {3}, b.seed, 0, view);
  json extra = t.extra_json.empty() ? json::object() : json::parse(t.extra_json);
  extra["corruption"] = eval::mean_corruption_accuracy(results);
  extra["corruption_count"] = test.size();
  extra["corruptions"] = json::parse(eval::corruption_results_to_json(results));
  extra["parameters"] = t.model->num_parameters();
  t.extra_json = extra.dump();
  return t;
}

training::OnlineAdversarialOptions advprop_attack(const ExperimentBudget& b) {
  training::OnlineAdversarialOptions o;
  o.attack = "pgd";
  o.mix = "adversarial";  // not used by AdvProp's loss (clean + adversarial, summed)
  o.eps = b.eps;
  o.steps = b.at_steps;
  o.seed = b.seed;
  return o;
}

// The second half of the budget's training images, labels hidden from
// training: Noisy Student's unlabelled pool.
data::Dataset unlabelled_half(const data::Dataset& train) {
  std::vector<std::int64_t> rest;
  for (std::int64_t i = train.size() / 2; i < train.size(); ++i) rest.push_back(i);
  return train.select(rest);
}

// A row trained by train_model (standard training when `loss` is empty),
// as the stage `stage`; `model` receives the trained model when not null.
RobustRow trained_stage(StageRunner& runner, const std::string& stage, const std::string& detail,
                        const nn::ModelConfig& config, const training::Trainer::StepLoss& loss,
                        const data::Split& labelled, const ExperimentBudget& b, nn::ModulePtr* model = nullptr) {
  return model_stage(
      runner, stage, stage, detail, labelled, b,
      [&](std::ostream& log) {
        return with_corruptions(train_model(config, trainer_options(b), labelled, loss, log), labelled.test, b);
      },
      model);
}

RobustRow plain_stage(StageRunner& runner, const data::Split& labelled, const ExperimentBudget& b,
                      nn::ModulePtr* model = nullptr) {
  return trained_stage(runner, kPlainStage, "plain", arch_config(labelled.train, b, "efficientnet-b0-small"), {},
                       labelled, b, model);
}

// Noisy Student's settings for this experiment: the noised b0-small student,
// the default input noise (Gaussian std 0.1, shifts up to 2 px), soft labels.
training::NoisyStudentOptions noisy_student_options(const data::Dataset& train, const ExperimentBudget& b) {
  training::NoisyStudentOptions o;
  o.teacher = arch_config(train, b, "efficientnet-b0-small");
  o.student = arch_config(train, b, "efficientnet-b0-small-noisy");
  o.teacher_epochs = o.student_epochs = b.epochs;
  o.batch_size = b.batch_size;
  o.confidence_threshold = kConfidenceThreshold;
  o.fgsm_eps = b.eps;
  o.eval_limit = b.attack_examples;
  o.seed = b.seed;
  return o;
}

// Noisy Student's ablation: the student's network and input noise, trained on
// the labelled half alone with cross-entropy (no teacher, no pseudo-labels),
// so that what the unlabelled images add can be told from what the noise does.
RobustRow noised_stage(StageRunner& runner, const data::Split& labelled, const ExperimentBudget& b) {
  const training::NoisyStudentOptions o = noisy_student_options(labelled.train, b);
  auto gen = std::make_shared<Generator>(b.seed * 31 + 1);
  const training::Trainer::StepLoss loss = [o, gen](nn::Module& m, const data::Batch& batch, Tensor& logits) {
    logits = m(training::noisy_student_noise(batch.images, o.input_noise_std, o.max_shift, *gen));
    return cross_entropy(logits, batch.labels);
  };
  return trained_stage(runner, "b0-small-noised", "b0-small-noisy + input noise, no pseudo-labels", o.student, loss,
                       labelled, b);
}

// Noisy Student with the plain row's model as its teacher (so the teacher
// is trained once, and is exactly the plain row).
RobustRow noisy_student_stage(StageRunner& runner, const data::Split& labelled, const data::Dataset& unlabelled,
                              const ExperimentBudget& b) {
  nn::ModulePtr teacher;
  const RobustRow plain = plain_stage(runner, labelled, b, &teacher);
  return model_stage(runner, "b0-small-noisy-student", "b0-small-noisy-student",
                     "teacher b0-small, student b0-small-noisy, " + std::to_string(unlabelled.size()) + " unlabelled",
                     labelled, b,
                     [&](std::ostream& log) {
                       const training::NoisyStudentOptions o = noisy_student_options(labelled.train, b);
                       training::NoisyStudentResult r =
                           training::noisy_student(labelled.train, unlabelled, labelled.test, o, log, teacher);
                       const training::NoisyStudentRound& round = r.rounds.front();
                       TrainedModel t{r.final_student, r.final_config, round.student_fit, {}};
                       t.extra_json = json{
                           {"teacher_seconds", plain.train_seconds},
                           {"unlabelled", unlabelled.size()},
                           {"pseudo_labelled", round.pseudo_labelled},
                           {"pseudo_label_accuracy", round.pseudo_label_accuracy},
                           {"confidence_threshold", o.confidence_threshold},
                           {"input_noise_std", o.input_noise_std},
                           {"max_shift",
                            o.max_shift}}.dump();
                       return with_corruptions(std::move(t), labelled.test, b);
                     },
                     nullptr, {kPlainStage});
}

// The pretrained EfficientNet-Lite0 (ImageNet weights, nn/pretrained.h)
// fine-tuned on the same labelled images as the other rows, with their epochs
// and batch size and the transfer experiment's fine-tuning (Adam 0.001, the
// backbone at 0.1x; lite0_fine_tuned). Lite0 wants RGB: each image is
// converted as in the transfer experiment (grey repeated, bilinear to
// image_size px), and the row is evaluated on the converted test images.
// Its FGSM and PGD run in that converted space at the same eps. Each output
// pixel of the bilinear resize is a convex combination of input pixels, so
// every perturbation of the 28 px image within eps maps to one within eps
// of the converted image: the attack here is at least as strong as on the
// 28 px images, and its robust accuracy a lower bound for that threat model.
// The corruptions act on the 28 px images (their parameters are for that
// size), then the images are converted. Curves: the unlabelled half (held-out
// training images, only plotted).
RobustRow lite0_stage(StageRunner& runner, const data::Split& labelled, const data::Dataset& unlabelled,
                      const ExperimentBudget& b) {
  const TransferBudget tb = transfer_budget(b);
  const std::int64_t size = tb.image_size;
  const eval::DatasetView rgb = [size](const data::Dataset& d) { return data::convert_dataset(d, 3, size, size); };
  const data::Split big{rgb(labelled.train), rgb(labelled.test)};
  return model_stage(runner, kLite0Row, kLite0Row,
                     "pretrained, fine-tuned at " + std::to_string(size) + " px RGB, backbone lr x" +
                         report::format_fixed(tb.backbone_lr_scale, 1),
                     big, b, [&](std::ostream& log) {
                       TrainedModel t = lite0_fine_tuned(big.train, rgb(unlabelled), tb, /*adversarial=*/false,
                                                         b.epochs, b.batch_size, log);
                       return with_corruptions(std::move(t), labelled.test, b, rgb);
                     });
}

RobustRow efficientnet_row(StageRunner& runner, const std::string& row, const data::Split& labelled,
                           const data::Dataset& unlabelled, const ExperimentBudget& b) {
  if (row == "small-cnn")
    return trained_stage(runner, row, "reference", arch_config(labelled.train, b, "small-cnn"), {}, labelled, b);
  if (row == "b0-small") return plain_stage(runner, labelled, b);
  if (row == "b0-small-advprop") {
    nn::ModelConfig dual = arch_config(labelled.train, b, "efficientnet-b0-small");
    dual.dual_batch_norm = true;
    return trained_stage(runner, row, "PGD-" + std::to_string(b.at_steps) + " through auxiliary BNs", dual,
                         training::advprop_loss(advprop_attack(b)), labelled, b);
  }
  if (row == "b0-small-noised") return noised_stage(runner, labelled, b);
  if (row == kLite0Row) return lite0_stage(runner, labelled, unlabelled, b);
  ADVGRAD_CHECK(row == "b0-small-noisy-student", "efficientnet_experiment: unknown row '", row, "'");
  return noisy_student_stage(runner, labelled, unlabelled, b);
}

double extra_number(const RobustRow& r, const char* key) {
  if (r.extra_json.empty()) return 0;
  const json j = json::parse(r.extra_json);
  return j.contains(key) ? j[key].get<double>() : 0;
}

// accuracy,lo,hi of its 95% interval on n examples.
void interval_cells(std::ostream& out, double accuracy, std::int64_t n) {
  const eval::Interval ci = eval::accuracy_interval(accuracy, std::max<std::int64_t>(1, n));
  out << ',' << accuracy << ',' << ci.lo << ',' << ci.hi;
}

std::string efficientnet_csv(const std::vector<RobustRow>& rows, const ExperimentBudget& b) {
  std::ostringstream s;
  s << "name,detail,parameters";
  for (const std::string& m :
       {std::string("clean"), std::string("fgsm"), "pgd" + std::to_string(b.pgd_steps), std::string("corruption")})
    s << ',' << m << ',' << m << "_lo95," << m << "_hi95";
  s << ",train_seconds,teacher_seconds\n";
  for (const auto& r : rows) {
    s << r.name << ",\"" << r.detail << "\"," << static_cast<std::int64_t>(extra_number(r, "parameters"));
    interval_cells(s, r.clean, r.clean_count);
    interval_cells(s, r.fgsm, r.attack_count);
    interval_cells(s, r.pgd, r.attack_count);
    interval_cells(s, extra_number(r, "corruption"), static_cast<std::int64_t>(extra_number(r, "corruption_count")));
    s << ',' << r.train_seconds << ',' << extra_number(r, "teacher_seconds") << '\n';
  }
  return s.str();
}

// Clean, FGSM, PGD and corruption accuracy per row, with 95% whiskers.
report::Figure efficientnet_chart(const std::vector<RobustRow>& rows, const ExperimentBudget& b,
                                  const std::string& title) {
  const std::vector<std::string> metrics{"clean", "FGSM", "PGD-" + std::to_string(b.pgd_steps), "corruptions"};
  std::vector<report::BarSeries> series;
  for (const auto& r : rows) {
    const std::int64_t corrupted = static_cast<std::int64_t>(extra_number(r, "corruption_count"));
    const std::vector<std::pair<double, std::int64_t>> m{{r.clean, r.clean_count},
                                                         {r.fgsm, r.attack_count},
                                                         {r.pgd, r.attack_count},
                                                         {extra_number(r, "corruption"), corrupted}};
    report::BarSeries s{r.name, {}, {}, {}};
    for (const auto& [accuracy, n] : m) {
      const eval::Interval ci = eval::accuracy_interval(accuracy, std::max<std::int64_t>(1, n));
      s.values.push_back(accuracy);
      s.lo.push_back(std::min(ci.lo, accuracy));
      s.hi.push_back(std::max(ci.hi, accuracy));
    }
    series.push_back(std::move(s));
  }
  report::BarChartOptions o;
  o.title = title;
  o.y_label = "accuracy (95% intervals)";
  o.x_label = "eps " + report::format_fixed(b.eps, 2) + "; corruptions: mean of five at severity 3";
  o.width = 720;
  return report::bar_chart(metrics, series, o);
}

}  // namespace

const std::vector<std::string>& efficientnet_experiment_rows() {
  static const std::vector<std::string> names{
      "small-cnn", "b0-small", "b0-small-advprop", "b0-small-noised", "b0-small-noisy-student", kLite0Row};
  return names;
}

ExperimentBudget efficientnet_budget(const ExperimentBudget& budget) {
  ExperimentBudget b = budget;
  if (b.level == "default") {
    b.epochs = std::min<std::int64_t>(b.epochs, 3);
    b.attack_examples = std::min<std::int64_t>(b.attack_examples, 200);
  }
  return b;
}

report::ReportTable efficientnet_table(const std::vector<RobustRow>& rows, const ExperimentBudget& b) {
  report::ReportTable t;
  t.caption = "EfficientNet-B0 (small) variants; accuracies with their 95% intervals";
  t.header = {"model",
              "setting",
              "parameters",
              "clean",
              "FGSM eps " + report::format_fixed(b.eps, 2),
              "PGD-" + std::to_string(b.pgd_steps),
              "corruptions",
              "train s"};
  for (const auto& r : rows) {
    const double teacher = extra_number(r, "teacher_seconds");
    t.rows.push_back(
        {r.name, r.detail, std::to_string(static_cast<std::int64_t>(extra_number(r, "parameters"))),
         r.failed ? "failed training: " + report::format_percent(r.clean) : accuracy_text(r.clean, r.clean_count),
         accuracy_text(r.fgsm, r.attack_count), accuracy_text(r.pgd, r.attack_count),
         accuracy_text(extra_number(r, "corruption"), static_cast<std::int64_t>(extra_number(r, "corruption_count"))),
         report::format_fixed(r.train_seconds, 1) +
             (teacher > 0 ? " + " + report::format_fixed(teacher, 1) + " teacher" : "")});
  }
  return t;
}

std::vector<RobustRow> efficientnet_experiment(StageRunner& runner, const data::Split& data,
                                               const ExperimentBudget& budget, const std::vector<std::string>& only) {
  const ExperimentBudget b = efficientnet_budget(budget);
  ADVGRAD_CHECK(data.train.size() >= 4, "experiment efficientnet: needs at least 4 training images, got ",
                data.train.size());
  // Every row learns from the first half with labels; the second half is
  // Noisy Student's unlabelled pool.
  const data::Split labelled{data.train.head(data.train.size() / 2), data.test};
  const data::Dataset unlabelled = unlabelled_half(data.train);
  std::vector<RobustRow> rows;
  for (const auto& r : chosen_rows(efficientnet_experiment_rows(), only, "efficientnet")) {
    // The Lite0 row needs the pretrained weights: without them it is left out
    // with a note, unless --only asked for it (then the missing file is an error).
    if (r == kLite0Row && only.empty() && !std::filesystem::exists(lite0_weights_path(transfer_budget(b)))) {
      runner.log() << "  " << kLite0Row << " left out: no pretrained weights at "
                   << lite0_weights_path(transfer_budget(b)) << " (scripts/fetch-pretrained.sh)\n";
      continue;
    }
    rows.push_back(efficientnet_row(runner, r, labelled, unlabelled, b));
  }
  runner.run("efficientnet", [&](StageFiles& files) {
    io::write_file_atomically(files.file("efficientnet.csv"), efficientnet_csv(rows, b));
    io::write_file_atomically(files.file("efficientnet.json"), rows_to_json(rows, b, "efficientnet") + "\n");
    io::write_file_atomically(files.file("efficientnet.md"), report::table_markdown(efficientnet_table(rows, b)));
    write_stage_figure(files, efficientnet_chart(rows, b, "EfficientNet-B0 (small) on " + data.train.name),
                       "efficientnet");
    write_stage_figure(files, rows_chart(rows, b, "PGD accuracy against eps on " + data.train.name),
                       "efficientnet_eps");
    json j = json::array();
    for (const auto& r : rows) j.push_back(json::parse(row_to_json(r)));
    return j.dump();
  });
  return rows;
}

}  // namespace advgrad::workshop
