// AdvProp: clean batches touch only the main BatchNorm statistics, adversarial
// ones only the auxiliary statistics; evaluation uses the main BN; it trains.
#include "advgrad/nn/dual_batch_norm.h"
#include "advgrad/training/advprop.h"
#include "expect_error.h"
#include "recipe_testing.h"
#include "testing.h"

namespace advgrad::training {
namespace {

using namespace recipe_testing;

std::map<std::string, std::vector<double>> stats(nn::Module& m, const std::string& which) {
  std::map<std::string, std::vector<double>> out;
  for (auto& [name, t] : m.state_dict())
    if (name.find("." + which + ".running") != std::string::npos) out[name] = t.to_double_vector();
  return out;
}

nn::ModelConfig dual_config() {
  nn::ModelConfig c;
  c.arch = "cnn-bn";
  c.height = c.width = 8;
  c.seed = 4;
  c.dual_batch_norm = true;
  return c;
}

// One AdvProp step from a fresh model of `config` against a reference built
// by hand: main statistics = those after one clean training-mode pass through
// the main BN; auxiliary statistics = those after one pass of x_adv (FGSM
// through the auxiliary BN, eval mode) through the auxiliary BN.
void check_two_sets_of_statistics(const nn::ModelConfig& config, std::uint64_t seed) {
  OnlineAdversarialOptions o;
  o.attack = "fgsm";
  o.eps = 0.1;
  Generator gen(seed);
  data::Batch b;
  b.images = rand({6, config.channels, config.height, config.width}, gen);
  b.labels = from_vector(std::vector<std::int64_t>{0, 1, 2, 3, 4, 5}, {6});

  nn::ModulePtr m = nn::build_model(config), clean_ref = nn::build_model(config), adv_ref = nn::build_model(config);
  const auto main0 = stats(*m, "main"), aux0 = stats(*m, "aux");
  m->train();
  Tensor logits;
  Tensor loss = advprop_loss(o)(*m, b, logits);
  loss.backward();
  EXPECT_TRUE(m->is_training());
  EXPECT_NE(stats(*m, "main"), main0);
  EXPECT_NE(stats(*m, "aux"), aux0);

  clean_ref->train();
  (*clean_ref)(b.images);  // route Main
  EXPECT_EQ(stats(*m, "main"), stats(*clean_ref, "main")) << "main statistics saw the clean batch only";
  EXPECT_EQ(stats(*clean_ref, "aux"), aux0);

  adv_ref->train();
  nn::set_batch_norm_route(*adv_ref, nn::BatchNormRoute::Auxiliary);
  const Tensor x_adv = attacks::fgsm(*adv_ref, b.images, b.labels, 0.1).x_adv;
  (*adv_ref)(x_adv);
  EXPECT_EQ(stats(*m, "aux"), stats(*adv_ref, "aux")) << "auxiliary statistics saw the adversarial batch only";
  EXPECT_EQ(stats(*adv_ref, "main"), main0);

  // Evaluation uses the main BN: the route is back on Main after the step, so
  // scrambling the auxiliary statistics changes nothing.
  m->eval();
  const auto before = (*m)(b.images).to_double_vector();
  for (auto& [name, t] : m->named_buffers())
    if (name.find(".aux.") != std::string::npos) t.fill_(3.0);
  EXPECT_EQ((*m)(b.images).to_double_vector(), before);

  nn::ModelConfig plain = config;
  plain.dual_batch_norm = false;
  nn::ModulePtr no_dual = nn::build_model(plain);
  testing::expect_error([&] { advprop_loss(o)(*no_dual, b, logits); }, {"AdvProp", "no dual BatchNorm"});
}

TEST(AdvProp, KeepsTwoSetsOfBatchNormStatistics) { check_two_sets_of_statistics(dual_config(), 5); }

// The same in EfficientNet-B0 (small): every one of its 31 BatchNorms (stem,
// head, two in block 0 and three in each of the nine expanding blocks) is
// split, on an odd image size.
TEST(AdvProp, EfficientNetB0SmallKeepsTwoSetsOfBatchNormStatistics) {
  nn::ModelConfig c;
  c.arch = "efficientnet-b0-small";
  c.height = 15;
  c.width = 13;
  c.seed = 6;
  c.dual_batch_norm = true;
  nn::ModulePtr m = nn::build_model(c);
  EXPECT_EQ(nn::set_batch_norm_route(*m, nn::BatchNormRoute::Main), 31);
  check_two_sets_of_statistics(c, 8);
}

// AdvProp aims at clean accuracy, but its shared weights are also trained on
// adversarial examples: on this tiny problem the network is more robust than
// the plain one through either BN. Seeds 1-3: see docs/adversarial-training.md.
TEST(AdvProp, TrainsAndIsMoreRobustThanThePlainModel) {
  const std::uint64_t seed = test_seed();
  const data::Split data = tinier_digits(seed, 600, 200);
  nn::ModelConfig c = tiny_config(data.train, "cnn-bn", seed);
  c.dual_batch_norm = true;
  OnlineAdversarialOptions o;
  o.attack = "pgd";
  o.steps = 3;
  o.eps = 0.1;
  nn::ModulePtr m = train_model(c, data, 3, seed, advprop_loss(o));
  const double clean = clean_accuracy(*m, data.test), main_pgd = pgd_accuracy(*m, data.test, 0.1);
  nn::set_batch_norm_route(*m, nn::BatchNormRoute::Auxiliary);
  const double aux_pgd = pgd_accuracy(*m, data.test, 0.1);
  nn::set_batch_norm_route(*m, nn::BatchNormRoute::Main);
  nn::ModelConfig pc = c;
  pc.dual_batch_norm = false;
  nn::ModulePtr plain = train_model(pc, data, 3, seed);
  const double plain_clean = clean_accuracy(*plain, data.test), plain_pgd = pgd_accuracy(*plain, data.test, 0.1);
  std::printf("  [seed %llu] advprop clean %.3f (plain %.3f)  PGD main BN %.3f, aux BN %.3f (plain %.3f)\n",
              (unsigned long long)seed, clean, plain_clean, main_pgd, aux_pgd, plain_pgd);
  EXPECT_GT(plain_clean, 0.6);
  EXPECT_GT(clean, 0.6);
  EXPECT_GT(main_pgd, plain_pgd + 0.08);
  EXPECT_GT(aux_pgd, plain_pgd + 0.08);
}

}  // namespace
}  // namespace advgrad::training
