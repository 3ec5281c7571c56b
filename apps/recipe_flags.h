#pragma once
// `advgrad train --recipe ...`: the adversarial-training flags, their checks
// (one-line errors for flags that do not belong to the chosen recipe) and the
// step loss / epoch hook they select. See docs/adversarial-training.md.
#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "advgrad/nn/models.h"
#include "advgrad/training/adversarial_training.h"
#include "advgrad/training/nsl.h"
#include "advgrad/training/overfitting_guard.h"
#include "advgrad/training/trainer.h"

namespace advgrad::cli {

struct RecipeFlags {
  std::string recipe = "standard";  // standard, online, nsl, advprop
  training::OnlineAdversarialOptions online;
  training::NslOptions nsl;
  bool guard = false, guard_rollback = false;
  std::int64_t guard_size = 200;
  std::shared_ptr<training::OverfittingGuardLog> guard_log = std::make_shared<training::OverfittingGuardLog>();

  void add_to(CLI::App* cmd);
  // Throws advgrad::Error (one line) on a combination that makes no sense;
  // sets model.dual_batch_norm for advprop.
  void check(nn::ModelConfig& model) const;
  // Installs the recipe's step loss and the guard (on the first guard_size
  // test examples) on the trainer; `test` must outlive the trainer.
  void install(training::Trainer& trainer, const data::Dataset& test, std::uint64_t seed);
  // The recipe and its options as JSON, for the model file's metadata.
  std::string to_json() const;
  // One human line ("online PGD-7 eps 0.1, double-batch").
  std::string describe() const;

 private:
  CLI::Option *attack_ = nullptr, *eps_ = nullptr, *steps_ = nullptr, *step_size_ = nullptr, *mix_ = nullptr,
              *weight_ = nullptr, *nsl_multiplier_ = nullptr, *nsl_step_ = nullptr, *nsl_norm_ = nullptr,
              *nsl_loss_ = nullptr, *guard_size_ = nullptr;
};

}  // namespace advgrad::cli
