// NSL's MNIST-tutorial protocol (eval/nsl_protocol.h) on the tiny synthetic
// digits: both models are scored on the same base-model neighbours, the NSL
// model resists them better than the base model, the numbers are accuracies
// and repeat for a seed, and bad arguments are advgrad::Error.
#include "advgrad/eval/nsl_protocol.h"
#include "advgrad/training/nsl.h"
#include "expect_error.h"
#include "testing.h"
#include "training/recipe_testing.h"

namespace advgrad::eval {
namespace {

using namespace training::recipe_testing;
using testing::expect_error;

constexpr double kEps = 0.1;

struct Models {
  data::Split data;
  nn::ModulePtr base, nsl;
};

// A plain MLP and an NSL one (multiplier 0.2, step kEps) on tiny_digits(seed), 3 epochs.
Models train_both(std::uint64_t seed) {
  Models m{tiny_digits(seed), {}, {}};
  const nn::ModelConfig config = tiny_config(m.data.train, "mlp", seed);
  m.base = train_model(config, m.data, 3, seed);
  training::NslOptions o;
  o.multiplier = 0.2;
  o.adv_step_size = kEps;
  m.nsl = train_model(config, m.data, 3, seed, training::nsl_step_loss(o));
  return m;
}

NslProtocolOptions options(std::uint64_t seed) {
  NslProtocolOptions o;
  o.eps = kEps;
  o.pgd_steps = 10;
  o.seed = seed;
  return o;
}

TEST(NslProtocol, BothModelsAreScoredOnTheBaseModelsNeighboursAndNslResistsThem) {
  const std::uint64_t seed = test_seed();
  const Models m = train_both(seed);
  const NslProtocolResult r = nsl_protocol(*m.base, *m.nsl, m.data.test, options(seed));
  EXPECT_EQ(r.count, m.data.test.size());
  EXPECT_EQ(r.attack_count, m.data.test.size());
  for (const NslProtocolRow* row : {&r.base, &r.nsl})
    for (double v : {row->clean, row->neighbors, row->fgsm, row->pgd}) {
      EXPECT_GE(v, 0.0) << row->name;
      EXPECT_LE(v, 1.0) << row->name;
    }
  // The base model's neighbours are its own FGSM examples (sign of the input
  // gradient, step eps, no random start): on the same images the two numbers
  // are one and the same measurement.
  EXPECT_DOUBLE_EQ(r.base.neighbors, r.base.fgsm);
  // The NSL row was scored on those images too, not on neighbours of its own:
  // scoring it alone on the base's neighbours gives the same number.
  const auto alone = neighbor_accuracy(*m.base, {m.nsl.get()}, m.data.test, kEps);
  EXPECT_DOUBLE_EQ(alone[0].neighbors, r.nsl.neighbors);
  EXPECT_DOUBLE_EQ(alone[0].clean, r.nsl.clean);
  EXPECT_DOUBLE_EQ(r.base.clean, evaluate(*m.base, m.data.test).accuracy);
  // The tutorial's finding: the regularised model resists the base model's
  // neighbours better. Seeds 1-3 (ADVGRAD_RECIPE_SEED): base 6-9%, NSL 22-23%,
  // a gap of 13-17 points; the margin leaves room. (The gap is small on this
  // tiny MLP because both models start from the same initial weights, so the
  // base model's gradient transfers well.)
  EXPECT_GT(r.nsl.clean, 0.5);
  EXPECT_GT(r.nsl.neighbors, r.base.neighbors + 0.08) << "seed " << seed;
  // PGD is at least as strong as FGSM on either model (a small slack for the random start).
  EXPECT_LE(r.base.pgd, r.base.fgsm + 0.02);
  EXPECT_LE(r.nsl.pgd, r.nsl.fgsm + 0.02);
  // Deterministic for a seed, PGD's random start included; limits cut the counts.
  NslProtocolOptions o = options(seed);
  o.limit = 100;
  o.attack_limit = 50;
  const NslProtocolResult a = nsl_protocol(*m.base, *m.nsl, m.data.test, o);
  const NslProtocolResult b = nsl_protocol(*m.base, *m.nsl, m.data.test, o);
  EXPECT_EQ(a.count, 100);
  EXPECT_EQ(a.attack_count, 50);
  EXPECT_EQ(a.nsl.pgd, b.nsl.pgd);
  EXPECT_EQ(a.base.pgd, b.base.pgd);
  EXPECT_EQ(a.nsl.neighbors, b.nsl.neighbors);
}

TEST(NslProtocol, RejectsBadArguments) {
  const data::Split data = tiny_digits(1, 40, 20);
  nn::ModulePtr a = nn::build_model(tiny_config(data.train)), b = nn::build_model(tiny_config(data.train));
  NslProtocolOptions o = options(1);
  o.eps = -0.1;
  expect_error([&] { nsl_protocol(*a, *b, data.test, o); }, {"nsl_protocol", "eps", "-0.1"});
  o.eps = 0;
  expect_error([&] { nsl_protocol(*a, *b, data.test, o); }, {"eps", "> 0"});
  o = options(1);
  o.pgd_steps = 0;
  expect_error([&] { nsl_protocol(*a, *b, data.test, o); }, {"PGD steps"});
  o = options(1);
  o.batch_size = 0;
  expect_error([&] { nsl_protocol(*a, *b, data.test, o); }, {"batch size"});
  expect_error([&] { nsl_protocol(*a, *b, data.test.head(0), options(1)); }, {"empty"});
  // A model with another number of classes than the test set, as either model.
  nn::ModelConfig five = tiny_config(data.train);
  five.classes = 5;
  nn::ModulePtr c = nn::build_model(five);
  expect_error([&] { nsl_protocol(*a, *c, data.test, options(1)); }, {"evaluated model gives 5 logits", "10 classes"});
  expect_error([&] { nsl_protocol(*c, *a, data.test, options(1)); }, {"gives 5 logits", "10 classes"});
}

}  // namespace
}  // namespace advgrad::eval
