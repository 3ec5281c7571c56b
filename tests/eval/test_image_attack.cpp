// eval::attack_image on a small network (no downloaded weights needed): the
// label is the clean top-1, the perturbation stays in the ball, a targeted
// attack reports its target, and bad inputs are clear errors. The pretrained
// network on real photos: tests/nn/test_pretrained_lite0.cpp.
#include "advgrad/eval/image_attack.h"

#include "expect_error.h"
#include "testing.h"

namespace advgrad::eval {
namespace {

using testing::expect_error;

nn::ModulePtr small_model() {
  nn::ModelConfig c;  // small-cnn on 1 x 28 x 28, 10 classes
  c.seed = 3;
  return nn::build_model(c);
}

TEST(AttackImage, UntargetedTakesTheCleanTop1AsLabelAndStaysInTheBall) {
  nn::ModulePtr m = small_model();
  const Tensor image = testing::random_tensor({1, 28, 28}, 5, DType::Float32, 0, 1);  // [C, H, W]
  attacks::AttackOptions o;
  o.eps = 0.3, o.steps = 20, o.step_size = 0.05;
  Generator gen(1);
  const ImageAttack a = attack_image(*m, image, o, {}, gen);
  EXPECT_EQ(a.x.shape(), (Shape{1, 1, 28, 28}));
  EXPECT_EQ(a.clean.index, top_k(a.clean_logits.select(0, 0), {}, 1).front().index);
  EXPECT_EQ(a.clean.name, std::to_string(a.clean.index));  // no names: indices
  EXPECT_LE(a.linf, o.eps + 1e-6);
  EXPECT_GT(a.linf, 0);
  EXPECT_EQ(a.success, a.adversarial.index != a.clean.index);
  EXPECT_TRUE(a.success) << "PGD at eps 0.3 on an untrained small-cnn";
  EXPECT_EQ(a.target, -1);
}

TEST(AttackImage, TargetedReportsTheTargetAndItsProbability) {
  nn::ModulePtr m = small_model();
  const Tensor image = testing::random_tensor({1, 1, 28, 28}, 6, DType::Float32, 0, 1);
  Generator gen(2);
  attacks::AttackOptions o;
  o.eps = 0.5, o.steps = 40, o.step_size = 0.05;
  o.targeted = true, o.target_mode = attacks::TargetMode::Fixed;
  o.objective = attacks::TargetedObjective::MinimiseTarget;
  const std::int64_t clean = classify(*m, image, {}, 1)[0][0].index;
  o.target_class = (clean + 3) % 10;
  const ImageAttack a = attack_image(*m, image, o, {}, gen);
  EXPECT_EQ(a.target, o.target_class);
  EXPECT_EQ(a.success, a.adversarial.index == a.target);
  EXPECT_GT(a.target_probability, 0);
  EXPECT_LE(a.target_probability, 1);
  o.target_class = clean;
  expect_error([&] { attack_image(*m, image, o, {}, gen); }, {"attack_image", "already the model's answer"});
}

TEST(AttackImage, MoreThanOneImageOrNoneIsAnError) {
  nn::ModulePtr m = small_model();
  Generator gen(3);
  const attacks::AttackOptions o{.eps = 0.1};
  expect_error([&] { attack_image(*m, zeros({2, 1, 28, 28}), o, {}, gen); }, {"one image", "[2, 1, 28, 28]"});
  expect_error([&] { attack_image(*m, zeros({28, 28}), o, {}, gen); }, {"one image", "[28, 28]"});
  expect_error([&] { attack_image(*m, Tensor(), o, {}, gen); }, {"one image", "undefined"});
}

}  // namespace
}  // namespace advgrad::eval
