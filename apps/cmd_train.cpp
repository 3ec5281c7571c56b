#include <iostream>
#include <nlohmann/json.hpp>

#include "advgrad/io/atomic_file.h"
#include "advgrad/nn/activation.h"
#include "advgrad/nn/model_io.h"
#include "advgrad/nn/optimizer.h"
#include "advgrad/nn/pretrained.h"
#include "advgrad/nn/transfer.h"
#include "advgrad/training/trainer.h"
#include "commands.h"
#include "recipe_flags.h"

namespace advgrad::cli {
namespace {

struct TrainFlags {
  DataFlags data;
  nn::ModelConfig model;
  training::TrainerOptions train;
  std::string out = "model.safetensors";
  bool resume = false;
  bool resume_force = false;  // --resume-force: accept flags that differ from the checkpoint's run
  RecipeFlags recipe;
  bool pretrained = false;        // --pretrained: ImageNet weights, a fresh head
  std::string freeze = "none";    // --freeze backbone|none|blocks:K
  bool freeze_given = false;
};

// The model to train: built from its config, or (--pretrained) the ImageNet
// weights with a fresh head, frozen per --freeze (nn/transfer.h).
nn::ModulePtr make_model(const TrainFlags& f) {
  if (!f.pretrained) return nn::build_model(f.model);
  return nn::freeze(nn::pretrained_with_new_head(f.model, nn::pretrained_path(f.model.arch)), nn::parse_freeze(f.freeze));
}

// The flags beyond the Trainer's own options that define a run, for --resume
// to compare (training/trainer.h). Not recorded, so free to change on resume:
// --test-limit (evaluation only), --data-dir (the same files may move),
// --early-stop, --out, --checkpoint, --threads, --device, --json.
std::vector<std::pair<std::string, std::string>> run_record(const TrainFlags& f, const nn::FreezeSpec& freeze) {
  auto number = [](std::int64_t n) { return n > 0 ? std::to_string(n) : std::string("none"); };
  return {{"--data", f.data.name},
          {"--limit", number(f.data.limit)},
          {"--image-size", number(f.data.image_size)},
          {"--channels", number(f.data.channels)},
          {"--model", f.model.arch},
          {"--activation", f.model.activation},
          {"--recipe", f.recipe.describe()},
          {"--pretrained", f.pretrained ? "yes" : "no"},
          {"--freeze", f.pretrained ? freeze.to_string() : "none"}};
}

int run_train(TrainFlags f, Common& common) {  // a copy: the run fills in what the data set decides
  ADVGRAD_CHECK(!f.resume || !f.train.checkpoint_path.empty(), "train: --resume needs --checkpoint FILE");
  ADVGRAD_CHECK(!f.resume_force || f.resume, "train: --resume-force needs --resume");
  // Before the data and the hours of training: a model or checkpoint that could never be written.
  io::check_writable(f.out, "--out");
  if (!f.train.checkpoint_path.empty()) io::check_writable(f.train.checkpoint_path, "--checkpoint");
  f.recipe.check(f.model);
  const nn::FreezeSpec freeze = nn::parse_freeze(f.freeze);
  ADVGRAD_CHECK(f.pretrained || !f.freeze_given, "train: --freeze needs --pretrained");
  ADVGRAD_CHECK(f.pretrained || f.train.backbone_lr_scale == 1, "train: --backbone-lr-scale needs --pretrained");
  if (f.pretrained) {
    ADVGRAD_CHECK(nn::supports_transfer(f.model.arch), "train: --pretrained needs --model efficientnet-lite0 or "
                  "efficientnet-b0, got ", f.model.arch);
    ADVGRAD_CHECK(!f.model.dual_batch_norm, "train: --pretrained does not combine with --recipe advprop");
    if (f.data.channels == 0) f.data.channels = 3;     // the pretrained stem reads RGB
    if (f.data.image_size == 0) f.data.image_size = 64;
  }
  data::Split data = f.data.load(f.train.seed);
  f.model.channels = data.train.channels;
  f.model.height = data.train.height;
  f.model.width = data.train.width;
  f.model.classes = data.train.classes;
  f.model.seed = f.train.seed;
  if (data.train.name == "cifar10") {
    f.train.crop_padding = 4;
    f.train.horizontal_flip = true;
  }
  std::ostream& log = common.json ? std::cerr : std::cout;
  log << "training " << f.model.arch << " (" << f.model.activation << ") on " << data.train.name << ": "
      << data.train.size() << " train / " << data.test.size() << " test images, " << f.train.optimizer << ", "
      << f.train.epochs << " epochs, batch " << f.train.batch_size << "; recipe " << f.recipe.describe()
      << (f.pretrained ? "; pretrained, freeze " + freeze.to_string() : std::string()) << "\n";
  f.train.device = common.device;
  f.train.run_record = run_record(f, freeze);
  training::Trainer trainer(make_model(f), f.model, f.train);
  f.recipe.install(trainer, data.test, f.train.seed);
  if (f.resume)
    for (const auto& note : trainer.resume(f.train.checkpoint_path, f.resume_force)) log << note << "\n";
  const training::FitResult r = trainer.fit(data.train, data.test, log);
  if (r.interrupted) return 130;
  const eval::EvalResult ev = eval::evaluate(trainer.model(), data.test);
  nn::save_model(f.out, trainer.model(), f.model,
                 {{"advgrad.data", data.train.name},
                  {"advgrad.test_accuracy", std::to_string(ev.accuracy)},
                  {"advgrad.recipe", f.recipe.to_json()},
                  {"advgrad.input", "--channels " + std::to_string(data.train.channels) + " --image-size " +
                                        std::to_string(data.train.height)},
                  {"advgrad.transfer", f.pretrained ? "pretrained ImageNet weights, new head, freeze " +
                                                          freeze.to_string() + ", backbone lr scale " +
                                                          std::to_string(f.train.backbone_lr_scale)
                                                    : "none"}});
  log << "test accuracy " << 100 * ev.accuracy << "%, " << r.seconds << " s; model written to " << f.out << "\n";
  if (common.json) {
    nlohmann::json hist = nlohmann::json::array();
    for (const auto& h : r.history)
      hist.push_back({{"epoch", h.epoch}, {"train_loss", h.train_loss}, {"train_accuracy", h.train_accuracy},
                      {"test_loss", h.test_loss}, {"test_accuracy", h.test_accuracy}, {"seconds", h.seconds},
                      {"images_per_second", h.images_per_second}, {"lr", h.lr}});
    std::cout << nlohmann::json{{"model", f.out},           {"arch", f.model.arch},
                                {"data", data.train.name},   {"test_accuracy", ev.accuracy},
                                {"test_loss", ev.loss},      {"seconds", r.seconds},
                                {"early_stopped", r.early_stopped}, {"history", hist},
                                {"recipe", nlohmann::json::parse(f.recipe.to_json())}}
                     .dump(2)
              << "\n";
  }
  return 0;
}

}  // namespace

Command add_train(CLI::App& app, Common& common) {
  auto* cmd = app.add_subcommand("train", "train a model and save it as safetensors");
  auto f = std::make_shared<TrainFlags>();
  f->data.add_to(cmd);
  cmd->add_option("--model", f->model.arch, "architecture")->check(CLI::IsMember(nn::model_names()));
  cmd->add_option("--activation", f->model.activation, "activation")->check(CLI::IsMember(nn::activation_names()));
  cmd->add_option("--optimizer", f->train.optimizer, "optimizer")->check(CLI::IsMember(nn::optimizer_names()));
  cmd->add_option("--lr", f->train.lr, "learning rate (default: the optimizer's)")->check(positive());
  cmd->add_option("--weight-decay", f->train.weight_decay, "weight decay")->check(non_negative());
  cmd->add_option("--schedule", f->train.schedule, "LR schedule")->check(CLI::IsMember(nn::lr_schedule_names()));
  cmd->add_option("--epochs", f->train.epochs, "epochs")->check(CLI::Range(1, 100000));
  cmd->add_option("--batch-size", f->train.batch_size, "batch size")->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--seed", f->train.seed, "seed (weights, data order, synthetic data)")->check(non_negative());
  cmd->add_option("--early-stop", f->train.early_stop_patience, "stop after N epochs without improvement");
  cmd->add_option("--out", f->out, "model file to write (safetensors)");
  cmd->add_option("--checkpoint", f->train.checkpoint_path, "checkpoint file, written each epoch and on Ctrl-C");
  cmd->add_flag("--resume", f->resume,
                "continue from --checkpoint; refused when a flag that defines the run (--lr, --seed, --limit, "
                "--data, --model, --recipe, ...) differs from the checkpoint's");
  cmd->add_flag("--resume-force", f->resume_force,
                "with --resume: accept the changed flags (each is noted in the log); --epochs may change without it "
                "under a constant --schedule");
  f->recipe.add_to(cmd);
  cmd->add_flag("--pretrained", f->pretrained,
                "start from the ImageNet weights (efficientnet-lite0/-b0; scripts/fetch-pretrained.sh) with a new "
                "classifier for the data set's classes; implies --channels 3 and --image-size 64 unless given");
  cmd->add_option("--freeze", f->freeze,
                  "with --pretrained: backbone (train the new head only), none (fine-tune all), blocks:K (the last "
                  "K MBConv blocks, the head conv and the classifier)")
      ->each([f](const std::string&) { f->freeze_given = true; });
  cmd->add_option("--backbone-lr-scale", f->train.backbone_lr_scale,
                  "with --pretrained: the fine-tuned backbone's learning rate relative to the head's (default 1)")
      ->check(CLI::Range(1e-6, 1.0));
  cmd->add_flag("--json", common.json, "print the results as JSON on stdout (logs go to stderr)");
  return {cmd, [f, &common] { return run_train(*f, common); }};
}

}  // namespace advgrad::cli
