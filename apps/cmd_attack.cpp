// advgrad attack: one attack over a data set's test split. Prints clean and
// robust accuracy and the attack's success rate; with --out DIR writes
// attack.json and the figure attack_grid.svg/.png (clean | perturbation | adversarial).
// With --image FILE it attacks photos instead (cmd_attack_photo.cpp).
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "advgrad/eval/robust_eval.h"
#include "advgrad/io/atomic_file.h"
#include "advgrad/io/output_dir.h"
#include "advgrad/nn/model_io.h"
#include "advgrad/nn/safetensors.h"
#include "advgrad/report/attack_grid.h"
#include "advgrad/report/figure.h"
#include "commands.h"

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
  PhotoAttackFlags photo = f.photo;
  if (!f.model.empty()) photo.model = f.model;
  photo.out = f.out;
  photo.seed = f.seed;
  return run_photo_attack(photo, f.attack, f.eps.empty() ? 1.0 / 255 : parse_eps(f.eps), common);
}

int run_on_dataset(const AttackCommandFlags& f, const Common& common) {
  ADVGRAD_CHECK(!f.model.empty(), "attack: --model FILE is required (or --image to attack photos)");
  ADVGRAD_CHECK(f.photo.weights.empty(), "attack: --weights is for --image (a data set's model is --model FILE)");
  const attacks::AttackOptions o = f.attack.options(f.eps.empty() ? 0.1 : parse_eps(f.eps));
  if (!f.out.empty()) io::make_output_dir(f.out);  // before the work: a bad --out is refused at once
  nn::LoadedModel m = nn::load_model(f.model);
  const data::Dataset test = f.data.load(f.seed).test;
  check_model_fits(m, test, "attack");
  ADVGRAD_CHECK(!o.targeted || o.target_mode != attacks::TargetMode::Fixed || o.target_class < test.classes,
                "attack: --target ", o.target_class, " is not a class of ", test.name, " (0..", test.classes - 1, ")");
  const std::string name = f.attack.describe(o);
  m.model->to(common.device);
  const eval::RobustResult r = eval::robust_accuracy(*m.model, test, o, f.seed, f.batch_size);
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
