#pragma once
// Shared by the adversarial-training recipe tests: a tiny synthetic problem
// (the synthetic digits averaged down to 14x14), training with a step loss,
// and PGD accuracy. The seed comes from ADVGRAD_RECIPE_SEED (default 1) so the
// margins can be checked on other seeds without editing the tests.
#include <cstdlib>
#include <sstream>
#include <string>

#include "advgrad/eval/robust_eval.h"
#include "advgrad/nn/models.h"
#include "advgrad/training/trainer.h"

namespace advgrad::training::recipe_testing {

inline std::uint64_t test_seed() {
  const char* s = std::getenv("ADVGRAD_RECIPE_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 1;
}

// 2x2 mean pooling of a 28x28 set: a quarter of the cost per image.
inline data::Dataset halve(const data::Dataset& d) {
  data::Dataset out = d;
  out.height = d.height / 2;
  out.width = d.width / 2;
  out.pixels.assign(static_cast<std::size_t>(d.size() * out.image_numel()), 0);
  for (std::int64_t n = 0; n < d.size() * d.channels; ++n)
    for (std::int64_t i = 0; i < out.height; ++i)
      for (std::int64_t j = 0; j < out.width; ++j) {
        int s = 0;
        for (int a = 0; a < 2; ++a)
          for (int b = 0; b < 2; ++b) s += d.pixels[static_cast<std::size_t>((n * d.height + 2 * i + a) * d.width + 2 * j + b)];
        out.pixels[static_cast<std::size_t>((n * out.height + i) * out.width + j)] = static_cast<std::uint8_t>((s + 2) / 4);
      }
  return out;
}

inline data::Split tiny_digits(std::uint64_t seed, std::int64_t train = 800, std::int64_t test = 300) {
  data::Split s = data::make_synthetic_digits(train, test, seed);
  return {halve(s.train), halve(s.test)};
}

// 7x7: small enough for the BatchNorm CNNs (cnn-bn) in a unit test.
inline data::Split tinier_digits(std::uint64_t seed, std::int64_t train, std::int64_t test) {
  data::Split s = tiny_digits(seed, train, test);
  return {halve(s.train), halve(s.test)};
}

inline nn::ModelConfig tiny_config(const data::Dataset& d, const std::string& arch = "mlp", std::uint64_t seed = 1) {
  nn::ModelConfig c;
  c.arch = arch;
  c.channels = d.channels;
  c.height = d.height;
  c.width = d.width;
  c.classes = d.classes;
  c.seed = seed;
  return c;
}

inline TrainerOptions tiny_options(std::int64_t epochs, std::uint64_t seed) {
  TrainerOptions o;
  o.epochs = epochs;
  o.batch_size = 32;
  o.seed = seed;
  o.optimizer = "adam";
  o.progress = 0;
  return o;
}

// Trains a fresh model; an empty step loss means plain cross-entropy.
inline nn::ModulePtr train_model(const nn::ModelConfig& config, const data::Split& data, std::int64_t epochs,
                                 std::uint64_t seed, Trainer::StepLoss loss = {}, double lr = 0) {
  nn::ModulePtr model = nn::build_model(config);
  TrainerOptions options = tiny_options(epochs, seed);
  options.lr = lr;  // 0: Adam's default
  Trainer t(model, config, options);
  if (loss) t.set_step_loss(std::move(loss));
  std::ostringstream log;
  t.fit(data.train, data.test, log);
  return model;
}

inline double clean_accuracy(nn::Module& m, const data::Dataset& d) { return eval::evaluate(m, d).accuracy; }

inline double pgd_accuracy(nn::Module& m, const data::Dataset& d, double eps, int steps = 10) {
  attacks::AttackOptions a;
  a.eps = eps;
  a.steps = steps;
  a.step_size = 2.5 * eps / steps;
  a.random_start = true;
  return eval::robust_accuracy(m, d, a, 7).robust_accuracy;
}

// The plain model every robustness test compares with: mlp on tiny_digits(seed),
// 3 epochs, its clean and PGD-10 (eps) accuracy.
struct Baseline {
  data::Split data;
  nn::ModelConfig config;
  double clean = 0, robust = 0;
};
inline Baseline plain_baseline(std::uint64_t seed, double eps) {
  Baseline b{tiny_digits(seed), {}, 0, 0};
  b.config = tiny_config(b.data.train, "mlp", seed);
  nn::ModulePtr plain = train_model(b.config, b.data, 3, seed);
  b.clean = clean_accuracy(*plain, b.data.test);
  b.robust = pgd_accuracy(*plain, b.data.test, eps);
  return b;
}

}  // namespace advgrad::training::recipe_testing
