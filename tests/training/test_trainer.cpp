// Trainer: learning happens, checkpoints resume to the exact same weights
// (also after a Ctrl-C in the middle of an epoch), best-model saving.
#include <csignal>
#include <filesystem>
#include <sstream>

#include "advgrad/nn/model_io.h"
#include "advgrad/training/trainer.h"
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

}  // namespace
}  // namespace advgrad::training
