// The catastrophic-overfitting guard on a scripted sequence of weights: a
// linear model on a two-class toy set that is either right (and robust) or
// flipped (PGD accuracy 0), fed to the hook epoch by epoch.
#include <sstream>

#include "advgrad/nn/containers.h"
#include "advgrad/nn/linear.h"
#include "advgrad/training/overfitting_guard.h"
#include "expect_error.h"
#include "recipe_testing.h"
#include "testing.h"

namespace advgrad::training {
namespace {

using testing::expect_error;

// Class 0: all-black 1x1x2 images, class 1: all-white.
data::Dataset two_class_set() {
  data::Dataset d;
  d.name = "toy";
  d.channels = 1;
  d.height = 1;
  d.width = 2;
  d.classes = 2;
  for (int i = 0; i < 8; ++i) {
    const std::uint8_t v = i % 2 ? 255 : 0;
    d.pixels.insert(d.pixels.end(), {v, v});
    d.labels.push_back(i % 2);
  }
  return d;
}

nn::ModulePtr toy_model() {
  Generator gen(0);
  auto m = std::make_shared<nn::Sequential>();
  m->add(std::make_shared<nn::Flatten>()).add(std::make_shared<nn::Linear>(2, 2, gen));
  return m;
}

// z0 = s (1 - x0 - x1) + bias_shift, z1 = -z0: right for s > 0, flipped for s < 0.
void set_weights(nn::Module& m, double s, double shift = 0) {
  m.load_state_dict({{"1.weight", from_vector(std::vector<double>{-s, -s, s, s}, {2, 2})},
                     {"1.bias", from_vector(std::vector<double>{s + shift, -s - shift}, {2})}});
}

TEST(OverfittingGuard, DetectsACollapseAndRollsBackToTheBestWeights) {
  const data::Dataset holdout = two_class_set();
  nn::ModulePtr m = toy_model();
  OverfittingGuardOptions o;
  o.eps = 0.1;
  o.rollback = true;
  auto log = std::make_shared<OverfittingGuardLog>();
  auto hook = overfitting_guard(*m, holdout, o, log);
  std::ostringstream out;
  EpochStats s;
  s.epoch = 1;
  set_weights(*m, 1.0);
  EXPECT_TRUE(hook(s, out));
  s.epoch = 2;
  set_weights(*m, 2.0, 0.25);  // as robust: the best epoch becomes 2
  const auto best = m->state_dict();
  std::vector<std::vector<double>> want;
  for (auto& [n, t] : best) want.push_back(t.clone().to_double_vector());
  EXPECT_TRUE(hook(s, out));
  s.epoch = 3;
  set_weights(*m, -1.0);  // collapsed
  EXPECT_FALSE(hook(s, out)) << "rollback stops training";
  EXPECT_EQ(log->pgd_accuracy, (std::vector<double>{1.0, 1.0, 0.0}));
  EXPECT_TRUE(log->collapsed);
  EXPECT_EQ(log->collapse_epoch, 3);
  EXPECT_EQ(log->best_epoch, 2);
  EXPECT_TRUE(log->rolled_back);
  std::vector<std::vector<double>> got;
  for (auto& [n, t] : m->state_dict()) got.push_back(t.to_double_vector());
  EXPECT_EQ(got, want) << "the weights of the best-PGD epoch are back";
  const std::string text = out.str();
  EXPECT_NE(text.find("guard: epoch 1 PGD-10 accuracy 100.00% on 8 held-out"), std::string::npos) << text;
  EXPECT_NE(text.find("CATASTROPHIC OVERFITTING"), std::string::npos) << text;
  EXPECT_NE(text.find("rolled back to the weights of epoch 2"), std::string::npos) << text;
}

TEST(OverfittingGuard, ReportsWithoutStoppingAndIgnoresSmallDrops) {
  const data::Dataset holdout = two_class_set();
  nn::ModulePtr m = toy_model();
  OverfittingGuardOptions o;
  auto log = std::make_shared<OverfittingGuardLog>();
  auto hook = overfitting_guard(*m, holdout, o, log);
  std::ostringstream out;
  EpochStats s;
  for (double scale : {1.0, -1.0, 1.0}) {
    ++s.epoch;
    set_weights(*m, scale);
    EXPECT_TRUE(hook(s, out)) << "neither stop nor rollback: training goes on";
  }
  EXPECT_TRUE(log->collapsed);
  EXPECT_EQ(log->collapse_epoch, 2);
  EXPECT_FALSE(log->rolled_back);

  o.collapse_drop = 1.0;  // a fall of exactly 1.0 is not "more than" 1.0
  o.stop = true;
  auto quiet = std::make_shared<OverfittingGuardLog>();
  auto lenient = overfitting_guard(*m, holdout, o, quiet);
  s.epoch = 1;
  set_weights(*m, 1.0);
  EXPECT_TRUE(lenient(s, out));
  set_weights(*m, -1.0);
  EXPECT_TRUE(lenient(s, out));
  EXPECT_FALSE(quiet->collapsed);
  expect_error([&] { overfitting_guard(*m, data::Dataset{}, o, quiet); }, {"held-out slice is empty"});
  o.collapse_drop = 0;
  expect_error([&] { overfitting_guard(*m, holdout, o, quiet); }, {"collapse drop"});
}

TEST(OverfittingGuard, RunsAsATrainerHook) {
  using namespace recipe_testing;
  const data::Split data = tiny_digits(5, 200, 60);
  const nn::ModelConfig c = tiny_config(data.train);
  Trainer t(nn::build_model(c), c, tiny_options(2, 5));
  auto log = std::make_shared<OverfittingGuardLog>();
  OverfittingGuardOptions o;
  o.steps = 3;
  t.set_epoch_hook(overfitting_guard(t.model(), data.test.head(30), o, log));
  std::ostringstream out;
  t.fit(data.train, data.test, out);
  EXPECT_EQ(log->pgd_accuracy.size(), 2u);
  EXPECT_NE(out.str().find("guard: epoch 2 PGD-3 accuracy"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace advgrad::training
