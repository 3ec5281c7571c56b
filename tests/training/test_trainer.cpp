// Trainer: learning happens, checkpoints resume to the exact same weights
// (also after a Ctrl-C in the middle of an epoch), best-model saving.
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "advgrad/nn/model_io.h"
#include "advgrad/nn/safetensors.h"
#include "advgrad/training/trainer.h"
#include "expect_error.h"
#include "testing.h"

namespace advgrad::training {
namespace {

nn::ModelConfig tiny_config(const std::string& arch) {
  nn::ModelConfig c;
  c.arch = arch;
  c.seed = 11;
  return c;
}

TrainerOptions tiny_options(std::int64_t epochs) {
  TrainerOptions o;
  o.epochs = epochs;
  o.batch_size = 16;
  o.seed = 5;
  o.optimizer = "adam";
  o.progress = 0;
  return o;
}

std::vector<double> flat_weights(nn::Module& m) {
  std::vector<double> out;
  for (auto& [name, t] : m.state_dict()) {
    auto v = t.to_double_vector();
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

TEST(Trainer, LearnsTheSyntheticDigits) {
  data::Split data = data::make_synthetic_digits(600, 200, 1);
  Trainer t(nn::build_model(tiny_config("mlp")), tiny_config("mlp"), tiny_options(3));
  std::ostringstream log;
  FitResult r = t.fit(data.train, data.test, log);
  ASSERT_EQ(r.history.size(), 3u);
  EXPECT_GT(r.history.back().test_accuracy, 0.5) << log.str();  // chance is 0.1
  EXPECT_LT(r.history.back().train_loss, r.history.front().train_loss);
  EXPECT_NE(log.str().find("epoch   3/3"), std::string::npos) << log.str();
}

TEST(Trainer, ResumeAfterEpochAndAfterCtrlCEqualsAnUninterruptedRun) {
  data::Split data = data::make_synthetic_digits(96, 32, 2);
  const auto dir = std::filesystem::path(::testing::TempDir());
  const std::string ckpt = (dir / "advgrad_trainer_ckpt.safetensors").string();
  const nn::ModelConfig c = tiny_config("cnn-bn");  // BatchNorm buffers and dropout RNG included
  std::ostringstream log;

  Trainer full(nn::build_model(c), c, tiny_options(2));
  full.fit(data.train, data.test, log);
  const auto want = flat_weights(full.model());

  // Interrupted by SIGINT during epoch 2, batch 3; then resumed in a fresh trainer.
  TrainerOptions o = tiny_options(2);
  o.checkpoint_path = ckpt;
  Trainer first(nn::build_model(c), c, o);
  int calls = 0;
  first.set_step_loss([&calls](nn::Module& m, const data::Batch& b, Tensor& logits) {
    if (++calls == 6 + 3) std::raise(SIGINT);
    logits = m(b.images);
    return cross_entropy(logits, b.labels);
  });
  FitResult r1 = first.fit(data.train, data.test, log);
  ASSERT_TRUE(r1.interrupted);
  Trainer second(nn::build_model(c), c, o);
  second.resume(ckpt);
  FitResult r2 = second.fit(data.train, data.test, log);
  EXPECT_FALSE(r2.interrupted);
  EXPECT_EQ(r2.history.size(), 2u);
  EXPECT_EQ(flat_weights(second.model()), want) << "resumed run must match bit for bit";
  std::filesystem::remove(ckpt);
}

TEST(Trainer, BestModelAndBadCheckpoints) {
  data::Split data = data::make_synthetic_digits(64, 32, 3);
  TrainerOptions o = tiny_options(2);
  o.best_model_path = ::testing::TempDir() + "advgrad_best.safetensors";
  Trainer t(nn::build_model(tiny_config("mlp")), tiny_config("mlp"), o);
  std::ostringstream log;
  FitResult r = t.fit(data.train, data.test, log);
  nn::LoadedModel best = nn::load_model(o.best_model_path);
  EXPECT_NEAR(eval::evaluate(*best.model, data.test).accuracy, r.best_test_accuracy, 1e-12);
  EXPECT_THROW(t.resume(o.best_model_path), Error);  // a model file is not a checkpoint
  EXPECT_THROW(t.resume("/nonexistent.safetensors"), Error);
  std::filesystem::remove(o.best_model_path);
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::string temp_path(const std::string& stem) {
  return ::testing::TempDir() + "advgrad_" + stem + "_" + std::to_string(std::random_device{}()) + ".safetensors";
}

// A NaN or infinite loss in epoch 2 (at a random step) stops training with an
// error naming the epoch and the step; the checkpoint and the best model of
// epoch 1 stay byte for byte as they were.
TEST(Trainer, NonFiniteLossStopsTrainingAndKeepsTheLastCheckpoint) {
  std::mt19937 gen(std::random_device{}());
  data::Split data = data::make_synthetic_digits(16 * (3 + gen() % 3) + 5, 32, 4);  // a short last batch
  TrainerOptions o = tiny_options(3);
  o.checkpoint_path = temp_path("diverge_ckpt");
  o.best_model_path = temp_path("diverge_best");
  const nn::ModelConfig c = tiny_config("mlp");
  Trainer t(nn::build_model(c), c, o);
  const std::int64_t per_epoch = (static_cast<std::int64_t>(data.train.size()) + 15) / 16;
  const std::int64_t bad_step = 1 + static_cast<std::int64_t>(gen() % per_epoch);
  const double bad = gen() % 2 ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
  std::int64_t calls = 0;
  t.set_step_loss([&](nn::Module& m, const data::Batch& b, Tensor& logits) {
    logits = m(b.images);
    Tensor loss = cross_entropy(logits, b.labels);
    return ++calls == per_epoch + bad_step ? loss * bad : loss;
  });
  std::string checkpoint_after_1, best_after_1;
  t.set_epoch_hook([&](const EpochStats& s, std::ostream&) {
    if (s.epoch == 1) checkpoint_after_1 = file_bytes(o.checkpoint_path), best_after_1 = file_bytes(o.best_model_path);
    return true;
  });
  std::ostringstream log;
  const std::string where = "epoch 2, step " + std::to_string(bad_step) + " of " + std::to_string(per_epoch);
  testing::expect_error([&] { t.fit(data.train, data.test, log); },
                        {"training diverged at", where.c_str(), "try a lower --lr", "is kept as it was", "the loss is ",
                         std::isnan(bad) ? "nan" : "inf"});
  ASSERT_FALSE(checkpoint_after_1.empty());
  EXPECT_EQ(file_bytes(o.checkpoint_path), checkpoint_after_1);
  EXPECT_EQ(file_bytes(o.best_model_path), best_after_1);
  std::filesystem::remove(o.checkpoint_path);
  std::filesystem::remove(o.best_model_path);
}

// The last step of an epoch can leave non-finite weights that no loss has seen
// yet: nothing is saved, the error names the parameter.
TEST(Trainer, NonFiniteWeightsAtTheEndOfAnEpochAreNotSaved) {
  data::Split data = data::make_synthetic_digits(48, 32, 5);
  TrainerOptions o = tiny_options(2);
  o.checkpoint_path = temp_path("diverge_weights");
  const nn::ModelConfig c = tiny_config("mlp");
  Trainer t(nn::build_model(c), c, o);
  int calls = 0;
  t.set_step_loss([&](nn::Module& m, const data::Batch& b, Tensor& logits) {
    logits = m(b.images);
    Tensor loss = cross_entropy(logits, b.labels);
    if (++calls == 3) {  // the last of 3 steps: a weight becomes infinite after the loss was computed
      auto state = m.state_dict();
      state.begin()->second.data<float>()[0] = std::numeric_limits<float>::infinity();
    }
    return loss;
  });
  std::ostringstream log;
  testing::expect_error([&] { t.fit(data.train, data.test, log); },
                        {"training diverged at epoch 1, step 3 of 3", "the weights are not finite, first '"});
  EXPECT_FALSE(std::filesystem::exists(o.checkpoint_path));
}

// --resume against a run whose defining flags differ: refused (naming each
// flag, its value now and the checkpoint's), taken with accept_changes (and
// noted); --epochs may change under a constant schedule only; a checkpoint
// without a record (an older advgrad) resumes with a note.
TEST(Trainer, ResumeComparesTheRunRecord) {
  std::mt19937 gen(std::random_device{}());
  data::Split data = data::make_synthetic_digits(40, 16, 6);
  const nn::ModelConfig c = tiny_config("mlp");
  TrainerOptions o = tiny_options(1);
  o.lr = 0.05;
  o.checkpoint_path = temp_path("record");
  o.run_record = {{"--limit", "40"}, {"--data", "synthetic"}};
  std::ostringstream log;
  {
    Trainer first(nn::build_model(c), c, o);
    first.fit(data.train, data.test, log);
  }
  auto fresh = [&](TrainerOptions changed) { return Trainer(nn::build_model(c), c, std::move(changed)); };

  EXPECT_TRUE(fresh(o).resume(o.checkpoint_path).empty());  // the same run: nothing to say

  TrainerOptions lr = o;
  lr.lr = 0.01;
  testing::expect_error([&] { fresh(lr).resume(o.checkpoint_path); },
                        {"resume: --lr is 0.01 but the checkpoint was trained with 0.05", "pass the same value",
                         "--resume-force"});
  const auto notes = fresh(lr).resume(o.checkpoint_path, true);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("--lr changed from 0.05 to 0.01"), std::string::npos) << notes[0];

  TrainerOptions two = o;
  two.seed = o.seed + 1 + gen() % 1000;
  two.run_record[0].second = "39";
  testing::expect_error([&] { fresh(two).resume(o.checkpoint_path); },
                        {("--seed is " + std::to_string(two.seed) + " but the checkpoint was trained with 5").c_str(),
                         "--limit is 39 but the checkpoint was trained with 40", "pass the same values"});

  TrainerOptions longer = o;
  longer.epochs = 2 + static_cast<std::int64_t>(gen() % 5);
  const auto longer_notes = fresh(longer).resume(o.checkpoint_path);
  ASSERT_EQ(longer_notes.size(), 1u);
  EXPECT_NE(longer_notes[0].find("training to " + std::to_string(longer.epochs) + " epochs"), std::string::npos);
  longer.schedule = o.schedule = "cosine";
  {
    Trainer cosine(nn::build_model(c), c, o);
    cosine.fit(data.train, data.test, log);
  }
  testing::expect_error([&] { fresh(longer).resume(o.checkpoint_path); },
                        {"--epochs is", "the cosine schedule depends on the length"});

  // The same checkpoint without its record, as advgrad wrote them before.
  nn::SafetensorsFile file = nn::load_safetensors(o.checkpoint_path);
  auto progress = nlohmann::json::parse(file.metadata.at("advgrad.checkpoint"));
  progress.erase("run");
  file.metadata["advgrad.checkpoint"] = progress.dump();
  nn::save_safetensors(o.checkpoint_path, file.tensors, file.metadata);
  TrainerOptions old = o;
  old.lr = 0.01;
  const auto old_notes = fresh(old).resume(o.checkpoint_path);
  ASSERT_EQ(old_notes.size(), 1u);
  EXPECT_NE(old_notes[0].find("predates run records"), std::string::npos) << old_notes[0];
  std::filesystem::remove(o.checkpoint_path);
}

}  // namespace
}  // namespace advgrad::training
