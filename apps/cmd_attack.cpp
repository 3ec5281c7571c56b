// advgrad attack: one attack over a data set's test split. Prints clean and
// robust accuracy and the attack's success rate; with --out DIR writes
// attack.json and the figure attack_grid.svg/.png (clean | perturbation | adversarial).
// With --image FILE it attacks photos instead (cmd_attack_photo.cpp).
// The minimal-norm methods (deepfool, deepfool-linf, cw) print instead the
// success rate and the median and mean perturbation norm of the successful
// examples, and with --eps the accuracy at that radius.
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "advgrad/attacks/min_norm.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/eval/robust_eval.h"
#include "advgrad/io/atomic_file.h"
#include "advgrad/io/output_dir.h"
#include "advgrad/nn/model_io.h"
#include "advgrad/nn/safetensors.h"
#include "advgrad/report/attack_grid.h"
#include "advgrad/report/figure.h"
#include "commands.h"
#include "progress_bar.h"

namespace advgrad::cli {
namespace {

nlohmann::json options_json(const attacks::AttackOptions& o, const AttackFlags& f) {
  return {{"method", f.method},
          {"eps", o.eps},
          {"steps", o.steps},
          {"step_size", o.step_size},
          {"norm", o.norm == attacks::Norm::L2 ? "l2" : "linf"},
          {"random_start", o.random_start},
          {"restarts", o.restarts},
          {"early_stop", o.early_stop},
          {"loss", f.loss},
          {"momentum", o.momentum},
          {"targeted", o.targeted},
          {"target", o.targeted ? f.target : ""},
          {"range", {o.lo, o.hi}}};
}

struct AttackCommandFlags {
  DataFlags data;
  AttackFlags attack;
  std::string model, out, eps;
  PhotoAttackFlags photo;
  std::uint64_t seed = 0;
  std::int64_t batch_size = 250, grid_rows = 8;
};

// Photos: --model names an architecture there, not a file.
int run_on_photos(const AttackCommandFlags& f, const Common& common) {
  ADVGRAD_CHECK(!f.attack.is_min_norm(), "attack: --method ", f.attack.method, " is for data sets, not --image");
  PhotoAttackFlags photo = f.photo;
  if (!f.model.empty()) photo.model = f.model;
  photo.out = f.out;
  photo.seed = f.seed;
  return run_photo_attack(photo, f.attack, f.eps.empty() ? 1.0 / 255 : parse_eps(f.eps), common);
}

// A minimal-norm attack over the test split: per example the smallest
// perturbation found, summarised (attacks/min_norm.h).
int run_min_norm(const AttackCommandFlags& f, const Common& common) {
  ADVGRAD_CHECK(f.out.empty(), "attack: --out (the example grid) is not available for --method ", f.attack.method);
  const double eps = f.eps.empty() ? 0.0 : parse_eps(f.eps);
  const attacks::AttackOptions o = f.attack.options(eps);
  nn::LoadedModel m = nn::load_model(f.model);
  const data::Dataset test = f.data.load(f.seed).test;
  check_model_fits(m, test, "attack");
  const std::string name = f.attack.describe(o);
  m.model->to(common.device);
  const auto start = std::chrono::steady_clock::now();
  std::vector<double> clean_correct, success, norms;
  ProgressBar bar("attack " + f.attack.method);
  const eval::RobustProgressCallback progress = bar.callback();
  for (std::int64_t s = 0; s < test.size(); s += f.batch_size) {
    std::vector<std::int64_t> idx;
    for (std::int64_t i = s; i < std::min(test.size(), s + f.batch_size); ++i) idx.push_back(i);
    if (progress) progress({eps, s, test.size(), f.attack.method, static_cast<std::int64_t>(idx.size())});
    const Tensor x = test.images_tensor(idx).to(common.device), y = test.labels_tensor(idx).to(common.device);
    const attacks::AttackResult r = attacks::min_norm_attack(*m.model, x, y, o);
    {
      attacks::EvalModeGuard eval_mode(*m.model);
      NoGradGuard no_grad;
      for (const double c : eq(argmax((*m.model)(x), 1), y).to(DType::Float64).to_double_vector()) clean_correct.push_back(c);
    }
    for (const double v : r.success.to_double_vector()) success.push_back(v);
    for (const double v : attacks::perturbation_norms(x, r.x_adv, o.norm)) norms.push_back(v);
  }
  bar.finish();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const attacks::MinNormSummary sum = attacks::summarize_min_norm(clean_correct, success, norms, eps);
  const std::string norm_name = o.norm == attacks::Norm::L2 ? "L2" : "L-inf";
  double clean = 0;
  for (const double c : clean_correct) clean += c;
  const double clean_accuracy = sum.count > 0 ? clean / static_cast<double>(sum.count) : 0;
  nlohmann::json j{{"model", f.model},
                   {"data", test.name},
                   {"attack", name},
                   {"norm", o.norm == attacks::Norm::L2 ? "l2" : "linf"},
                   {"count", sum.count},
                   {"clean_accuracy", clean_accuracy},
                   {"attacked", sum.attacked},
                   {"successes", sum.successes},
                   {"success_rate", sum.success_rate},
                   {"median_norm", sum.median_norm},
                   {"mean_norm", sum.mean_norm},
                   {"seconds", seconds}};
  if (eps > 0) j["eps"] = eps, j["accuracy_at_eps"] = sum.accuracy_at_eps;
  if (common.json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << std::fixed << std::setprecision(2) << name << " on " << test.name << " (" << sum.count
            << " test images, " << std::setprecision(1) << seconds << " s)\n"
            << std::setprecision(2) << "  clean accuracy   " << 100 * clean_accuracy << "%\n"
            << "  attack success   " << 100 * sum.success_rate << "% of the " << sum.attacked
            << " correctly classified\n"
            << std::setprecision(4) << "  " << norm_name << " norm of the successful perturbations: median "
            << sum.median_norm << ", mean " << sum.mean_norm << "\n";
  if (eps > 0)
    std::cout << std::setprecision(2) << "  accuracy at " << norm_name << " radius " << eps << "  "
              << 100 * sum.accuracy_at_eps << "%\n";
  return 0;
}

int run_on_dataset(const AttackCommandFlags& f, const Common& common) {
  ADVGRAD_CHECK(!f.model.empty(), "attack: --model FILE is required (or --image to attack photos)");
  ADVGRAD_CHECK(f.photo.weights.empty(), "attack: --weights is for --image (a data set's model is --model FILE)");
  if (f.attack.is_min_norm()) return run_min_norm(f, common);
  const attacks::AttackOptions o = f.attack.options(f.eps.empty() ? 0.1 : parse_eps(f.eps));
  if (!f.out.empty()) io::make_output_dir(f.out);  // before the work: a bad --out is refused at once
  nn::LoadedModel m = nn::load_model(f.model);
  const data::Dataset test = f.data.load(f.seed).test;
  check_model_fits(m, test, "attack");
  ADVGRAD_CHECK(!o.targeted || o.target_mode != attacks::TargetMode::Fixed || o.target_class < test.classes,
                "attack: --target ", o.target_class, " is not a class of ", test.name, " (0..", test.classes - 1, ")");
  const std::string name = f.attack.describe(o);
  m.model->to(common.device);
  ProgressBar bar("attack " + f.attack.method);
  const eval::RobustResult r = eval::robust_accuracy(*m.model, test, o, f.seed, f.batch_size, 0, bar.callback());
  bar.finish();
  m.model->to(Device::cpu());  // the example grid is drawn on the host
  nlohmann::json j{{"model", f.model},
                   {"data", test.name},
                   {"attack", name},
                   {"options", options_json(o, f.attack)},
                   {"count", r.count},
                   {"clean_accuracy", r.clean_accuracy},
                   {"robust_accuracy", r.robust_accuracy},
                   {"success_rate", r.success_rate},
                   {"mean_loss", r.mean_loss},
                   {"seconds", r.seconds},
                   {"images_per_second", r.seconds > 0 ? static_cast<double>(r.count) / r.seconds : 0.0}};
  if (!f.out.empty()) {
    report::write_figure(report::attack_example_grid(*m.model, test, o, f.seed, f.grid_rows, name + " on " + test.name),
                         f.out, "attack_grid");
    const auto file = [&](const char* n) { return (std::filesystem::path(f.out) / n).string(); };
    const std::string json = file("attack.json");
    j["files"] = {file("attack_grid.svg"), file("attack_grid.png"), json};
    io::write_file_atomically(json, j.dump(2) + "\n");
  }
  if (common.json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << std::fixed << std::setprecision(2) << name << " on " << test.name << " (" << r.count << " test images, "
            << std::setprecision(1) << r.seconds << " s)\n"
            << std::setprecision(2) << "  clean accuracy   " << 100 * r.clean_accuracy << "%\n"
            << "  robust accuracy  " << 100 * r.robust_accuracy << "%"
            << (o.targeted ? "  (not pushed into the target class)" : "") << "\n"
            << "  attack success   " << 100 * r.success_rate << "%"
            << (o.targeted ? " (predicted as the target)" : " (misclassified)") << "\n";
  if (!f.out.empty()) std::cout << "  wrote " << f.out << "/attack_grid.svg, attack_grid.png and attack.json\n";
  return 0;
}

}  // namespace

Command add_attack(CLI::App& app, Common& common) {
  auto* cmd = app.add_subcommand("attack",
                                 "attack a saved model on a test set (clean and robust accuracy, success "
                                 "rate, an example grid), or photos (--image) under a pretrained network");
  auto f = std::make_shared<AttackCommandFlags>();
  cmd->add_option("--model", f->model,
                  "model file (safetensors written by advgrad train); with --image a pretrained "
                  "architecture (default efficientnet-lite0)");
  cmd->add_option("--image", f->photo.images, "attack these photos (PNG or JPEG; repeatable) instead of a data set");
  cmd->add_option("--weights", f->photo.weights,
                  "with --image: weights file (.pth or .safetensors); default: the cache "
                  "of scripts/fetch-pretrained.sh");
  f->data.add_to(cmd);
  cmd->add_option("--eps", f->eps,
                  "radius of the ball in pixel units, a decimal or a fraction such as 1/255 "
                  "(default 0.1, with --image 1/255)");
  f->attack.add_to(cmd);
  cmd->add_option("--seed", f->seed, "seed of the attack's randomness (and of the synthetic data set)")->check(non_negative());
  cmd->add_option("--batch-size", f->batch_size, "examples per attack batch")->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--grid-rows", f->grid_rows, "examples in the picture")->check(CLI::Range(1, 64));
  cmd->add_option("--out", f->out, "directory for attack.json, attack_grid.svg and attack_grid.png");
  cmd->add_flag("--json", common.json, "print the results as JSON");
  return {cmd, [f, cmd, &common] {
            if (f->photo.images.empty()) return run_on_dataset(*f, common);
            // A data-set flag with photos would be silently ignored: say so instead.
            for (const char* flag :
                 {"--data", "--data-dir", "--limit", "--test-limit", "--batch-size", "--grid-rows", "--lo", "--hi"})
              ADVGRAD_CHECK(cmd->count(flag) == 0, "attack: ", flag, " is for data sets; --image attacks photos");
            return run_on_photos(*f, common);
          }};
}

}  // namespace advgrad::cli
