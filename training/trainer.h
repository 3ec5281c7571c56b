#pragma once
// Trainer: the one training loop every recipe shares. Per epoch it runs the
// step loss over shuffled batches, takes optimizer steps (with an optional
// per-iteration LR schedule and gradient clipping), evaluates on the test set,
// logs, keeps the best model, and checkpoints.
//
// Checkpoints hold the model, the optimizer state, the position (epoch and
// batch), the history and the dropout generators' states; the data order and
// augmentation are functions of (seed, epoch, batch). So resume() followed by
// fit() gives the same weights as a run that was never interrupted. Ctrl-C
// (SIGINT) during fit() finishes the current batch, writes the checkpoint and
// returns with `interrupted` set.
//
// A checkpoint also records the settings that define the run (run_record()):
// resume() refuses a checkpoint whose run used other values, naming each one,
// unless told to accept the change. --epochs may differ (train longer or
// shorter) as long as the LR schedule is constant: any other schedule is a
// function of the total length, so a new length changes the rates already used.
//
// Divergence: a NaN or infinite loss stops fit() with advgrad::Error naming the
// epoch and step; so do weights that are not finite at the end of an epoch.
// Nothing is written then: the checkpoint of the last finished epoch stays.
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "advgrad/data/data_loader.h"
#include "advgrad/data/dataset.h"
#include "advgrad/eval/evaluate.h"
#include "advgrad/nn/lr_schedule.h"
#include "advgrad/nn/models.h"
#include "advgrad/nn/module.h"
#include "advgrad/nn/optimizer.h"

namespace advgrad::training {

struct TrainerOptions {
  std::int64_t epochs = 5;
  std::int64_t batch_size = 128;
  std::int64_t eval_batch_size = 500;
  std::uint64_t seed = 0;
  std::string optimizer = "adam";
  double lr = 0;  // 0: the optimizer's default
  double weight_decay = 0;
  // For a partly frozen model (nn/freeze.h): the rate of its trainable backbone relative to the
  // head's, in (0, 1] (fine-tuning moves pretrained weights less than a fresh classifier).
  double backbone_lr_scale = 1;
  std::string schedule = "constant";  // per iteration; see nn/lr_schedule.h
  double grad_clip = 0;               // > 0: clip the global gradient norm
  std::string checkpoint_path;        // written after every epoch and on Ctrl-C
  std::string best_model_path;        // the model with the best test accuracy
  std::int64_t early_stop_patience = 0;  // > 0: stop after this many epochs without improvement
  std::int64_t crop_padding = 0;
  bool horizontal_flip = false;
  int progress = -1;  // -1: a progress bar when stderr is a terminal; 0: never; 1: always
  Device device = Device::cpu();  // the model moves here before training; batches follow it
  // What else defines the run, beside the options above (the data set, the
  // model, the recipe, ...), as (CLI flag, value) pairs: stored in checkpoints
  // and compared by resume(). The Trainer adds its own options' entries.
  std::vector<std::pair<std::string, std::string>> run_record;
};

struct EpochStats {
  std::int64_t epoch = 0;  // 1-based
  double lr = 0, train_loss = 0, train_accuracy = 0, test_loss = 0, test_accuracy = 0;
  double seconds = 0, images_per_second = 0;
};

struct FitResult {
  std::vector<EpochStats> history;
  bool interrupted = false, early_stopped = false;
  double best_test_accuracy = 0;
  std::int64_t best_epoch = 0;
  double seconds = 0;
};

class Trainer {
 public:
  // The loss of one batch; `logits` receives the clean logits used for the
  // running accuracy (recipes may leave it undefined).
  using StepLoss = std::function<Tensor(nn::Module& model, const data::Batch& batch, Tensor& logits)>;
  // Called after each epoch's evaluation (e.g. the catastrophic-overfitting
  // guard); returning false stops training.
  using EpochHook = std::function<bool(const EpochStats& stats, std::ostream& log)>;

  Trainer(nn::ModulePtr model, nn::ModelConfig config, TrainerOptions options);
  void set_step_loss(StepLoss loss) { step_loss_ = std::move(loss); }
  void set_epoch_hook(EpochHook hook) { epoch_hook_ = std::move(hook); }

  FitResult fit(const data::Dataset& train, const data::Dataset& test, std::ostream& log);
  // Loads a checkpoint written by fit(); throws advgrad::Error on a bad file,
  // one from a different model/optimizer, or one whose run record differs
  // from this run's ("resume: --lr is 0.01 but the checkpoint was trained with
  // 0.05; ..."), unless accept_changes. Returns notes for the log: the changes
  // accepted, or that the checkpoint (an older one) has no record to compare.
  std::vector<std::string> resume(const std::string& checkpoint_path, bool accept_changes = false);
  // The settings that define this run: the options' own (--optimizer, --lr,
  // --weight-decay, --schedule, --batch-size, --seed, --epochs, --grad-clip,
  // --backbone-lr-scale) then options().run_record. Numbers in their shortest
  // exact decimal form.
  std::vector<std::pair<std::string, std::string>> run_record() const;

  nn::Module& model() { return *model_; }
  nn::Optimizer& optimizer() { return *optimizer_; }
  const TrainerOptions& options() const { return options_; }

 private:
  struct EpochRun;  // running sums of one epoch (trainer.cpp)
  EpochRun train_epoch(data::DataLoader& loader, const nn::LrSchedule& schedule, std::int64_t epoch);
  void train_step(const data::Batch& batch, std::int64_t epoch, std::int64_t per_epoch, EpochRun& run);
  void check_weights_finite(std::int64_t epoch, const EpochRun& run) const;
  std::string diverged(std::int64_t epoch, std::int64_t step, std::int64_t per_epoch, const std::string& cause) const;
  void save_interrupted(std::int64_t epoch, const EpochRun& run, std::ostream& log);
  EpochStats evaluate_epoch(std::int64_t epoch, const EpochRun& run, const data::Dataset& test, std::ostream& log);
  bool end_epoch(const EpochStats& stats, std::int64_t& stale_epochs, std::ostream& log);
  void save_checkpoint(const std::string& path, std::int64_t epoch, std::int64_t batch) const;

  nn::ModulePtr model_;
  nn::ModelConfig config_;
  TrainerOptions options_;
  std::unique_ptr<nn::Optimizer> optimizer_;
  StepLoss step_loss_;
  EpochHook epoch_hook_;
  // Progress (restored by resume()).
  std::int64_t start_epoch_ = 0, start_batch_ = 0;
  bool have_checkpoint_ = false;  // one was written or resumed from: a divergence leaves it as it is
  FitResult result_;
};

}  // namespace advgrad::training
