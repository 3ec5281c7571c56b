// Static FGSM augmentation: the copies stay in the eps-ball after uint8
// quantisation, concatenation checks geometry, and the workshop's seven steps
// give a model more robust to the perturbed test set than the clean one.
#include <cstdlib>

#include "advgrad/training/static_augmentation.h"
#include "expect_error.h"
#include "recipe_testing.h"
#include "testing.h"

namespace advgrad::training {
namespace {

using namespace recipe_testing;
using testing::expect_error;

TEST(StaticAugmentation, PerturbedCopyStaysInTheBallAndInRange) {
  const data::Split data = tiny_digits(3, 200, 50);
  const nn::ModelConfig c = tiny_config(data.train);
  nn::ModulePtr m = train_model(c, data, 1, 3);
  for (double eps : {0.1, 10.0 / 255, 0.3}) {
    const data::Dataset adv = fgsm_perturbed_copy(*m, data.test, eps, 16);  // batches do not divide the set
    ASSERT_EQ(adv.pixels.size(), data.test.pixels.size());
    EXPECT_EQ(adv.labels, data.test.labels);
    EXPECT_EQ(adv.name, data.test.name + "+fgsm");
    int max_move = 0, moved = 0;
    for (std::size_t k = 0; k < adv.pixels.size(); ++k) {
      const int d = std::abs(int(adv.pixels[k]) - int(data.test.pixels[k]));
      max_move = std::max(max_move, d);
      moved += d > 0;
    }
    EXPECT_LE(max_move, int(eps * 255 + 1e-6)) << eps;  // quantised toward x: never outside the ball
    EXPECT_GT(moved, static_cast<int>(adv.pixels.size() / 4)) << "FGSM moves most pixels";
    if (eps == 10.0 / 255) {
      EXPECT_EQ(max_move, 10) << "eps = k/255 moves pixels by exactly k";
    }
  }
  EXPECT_EQ(fgsm_perturbed_copy(*m, data.test, 0).pixels, data.test.pixels);
  expect_error([&] { fgsm_perturbed_copy(*m, data.test, -0.1); }, {"eps must be >= 0"});
}

TEST(StaticAugmentation, ConcatChecksGeometryAndClasses) {
  const data::Split data = tiny_digits(4, 20, 10);
  const data::Dataset both = concat_datasets(data.train, data.test);
  EXPECT_EQ(both.size(), 30);
  EXPECT_EQ(both.labels[20], data.test.labels[0]);
  EXPECT_EQ(both.pixels.size(), data.train.pixels.size() + data.test.pixels.size());
  both.validate();
  data::Dataset other = data.test;
  other.width = 7;
  other.pixels.resize(static_cast<std::size_t>(other.size() * other.image_numel()));
  expect_error([&] { concat_datasets(data.train, other); }, {"concat_datasets", "1x14x14", "1x14x7"});
  data::Dataset fewer = data.test;
  fewer.classes = 11;
  expect_error([&] { concat_datasets(data.train, fewer); }, {"10 classes", "11"});
}

// The workshop's steps 1-7, as a caller writes them.
TEST(StaticAugmentation, TheWorkshopsSevenStepsGainRobustnessOnThePerturbedTestSet) {
  const std::uint64_t seed = test_seed();
  const data::Split data = tiny_digits(seed);
  const nn::ModelConfig c = tiny_config(data.train, "mlp", seed);
  const double eps = 0.1;
  nn::ModulePtr base = train_model(c, data, 3, seed);                          // 1. train on clean data
  const double base_clean = clean_accuracy(*base, data.test);                  // 2. evaluate
  const data::Dataset adv_train = fgsm_perturbed_copy(*base, data.train, eps);  // 3. FGSM copies with that model
  const data::Dataset adv_test = fgsm_perturbed_copy(*base, data.test, eps);
  const double base_on_adv = clean_accuracy(*base, adv_test);                  // 4. evaluate on the perturbed test
  const data::Split augmented{concat_datasets(data.train, adv_train), data.test};
  nn::ModulePtr retrained = train_model(c, augmented, 3, seed);                // 5. retrain on clean + perturbed
  const double new_clean = clean_accuracy(*retrained, data.test);              // 6. evaluate on clean
  const double new_on_adv = clean_accuracy(*retrained, adv_test);              // 7. and on perturbed
  std::printf("  [seed %llu] static: clean %.3f -> %.3f, perturbed test %.3f -> %.3f\n", (unsigned long long)seed,
              base_clean, new_clean, base_on_adv, new_on_adv);
  EXPECT_GT(base_clean, 0.6);
  EXPECT_GT(new_clean, 0.6);
  EXPECT_GT(new_on_adv, base_on_adv + 0.2) << "the retrained model resists the fixed perturbations";
}

}  // namespace
}  // namespace advgrad::training
