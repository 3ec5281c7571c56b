// APGD, APGD-T, Square and the AutoAttack ensemble: the formulas against
// hand-computed values, the attack contract on small models, and a model with
// masked gradients on which PGD and APGD fail and Square does not.
#include <cmath>

#include "advgrad/attacks/apgd.h"
#include "advgrad/attacks/autoattack.h"
#include "advgrad/attacks/square.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/nn/models.h"
#include "attack_setup.h"
#include "expect_error.h"
#include "testing.h"

namespace advgrad::attacks {
namespace {

using testing::AttackSetup;

// A random small CNN labelled with its own clean answers (attack_setup.h).
AttackSetup own_labels(std::uint64_t seed, const std::string& arch = "small-cnn", std::int64_t n = 10) {
  return testing::random_cnn(seed, arch, n, true);
}

// (y + 1) mod classes: a class that is never the label.
Tensor other_class(const Tensor& y, std::int64_t classes) {
  std::vector<std::int64_t> t = y.to_int_vector();
  for (auto& v : t) v = (v + 1) % classes;
  return from_vector(t, {y.size(0)});
}

double max_linf(const Tensor& a, const Tensor& b) { return amax(abs(a - b)).item(); }

// The contract of attack.h on a result: inside the ball and [0, 1], detached.
void expect_inside(const AttackResult& r, const Tensor& x, double eps, Norm norm) {
  EXPECT_EQ(r.x_adv.shape(), x.shape());
  EXPECT_FALSE(r.x_adv.requires_grad());
  EXPECT_GE(amin(r.x_adv).item(), 0.0);
  EXPECT_LE(amax(r.x_adv).item(), 1.0);
  const double dist = norm == Norm::Linf ? max_linf(r.x_adv, x) : amax(norm_per_sample(r.x_adv - x, 2)).item();
  EXPECT_LE(dist, eps + 1e-5);
}

TEST(Apgd, CheckpointsFollowThePapersSchedule) {
  // p = 0, .22, .41, .57, .70, .80, .87, .93, .99 (then 1.05 >= 1): w_j = ceil(100 p_j).
  EXPECT_EQ(apgd_checkpoints(100), (std::vector<int>{0, 22, 41, 57, 70, 80, 87, 93, 99}));
  // Ten steps: ceil(2.2) = 3, ceil(4.1) = 5, ceil(5.7) = 6, 7, 8, ceil(8.7) = 9, ceil(9.3) = 10 is not < 10.
  EXPECT_EQ(apgd_checkpoints(10), (std::vector<int>{0, 3, 5, 6, 7, 8, 9}));
  EXPECT_EQ(apgd_checkpoints(1), std::vector<int>{0});
  testing::expect_error([] { (void)apgd_checkpoints(0); }, {"apgd_checkpoints", "steps"});
}

TEST(Dlr, MatchesHandComputedValues) {
  const Tensor z = from_vector(std::vector<double>{1, 4, 2, 3, 1, 4, 2, 3}, {2, 4}, TensorOptions{DType::Float64});
  const Tensor y = from_vector(std::vector<std::int64_t>{0, 1}, {2});
  // Sorted: 4 3 2 1, so z_pi1 - z_pi3 = 2. Row 0: -(1 - 4) / 2; row 1 (y is the top): -(4 - 3) / 2.
  const auto dlr = attack_loss(z, y, AttackLoss::Dlr).to_double_vector();
  EXPECT_NEAR(dlr[0], 1.5, 1e-11);  // the 1e-12 in the denominator
  EXPECT_NEAR(dlr[1], -0.5, 1e-11);
  // Targeted, t = 2 and t = 0: -(z_y - z_t) / (4 - (2 + 1) / 2).
  const Tensor t = from_vector(std::vector<std::int64_t>{2, 0}, {2});
  const auto targeted = targeted_dlr_loss(z, y, t).to_double_vector();
  EXPECT_NEAR(targeted[0], 1.0 / 2.5, 1e-11);
  EXPECT_NEAR(targeted[1], -3.0 / 2.5, 1e-11);
}

TEST(Dlr, IsInvariantToShiftingAndScalingTheLogits) {
  Generator gen(4);
  const Tensor z = randn({6, 7}, gen, TensorOptions{DType::Float64});
  const Tensor y = randint(0, 7, {6}, gen), t = other_class(y, 7);
  const Tensor moved = z * 3.5 + 11.0;
  EXPECT_TRUE(testing::all_close(attack_loss(moved, y, AttackLoss::Dlr), attack_loss(z, y, AttackLoss::Dlr), 1e-9, 1e-9));
  EXPECT_TRUE(testing::all_close(targeted_dlr_loss(moved, y, t), targeted_dlr_loss(z, y, t), 1e-9, 1e-9));
}

TEST(Dlr, GradientsMatchFiniteDifferences) {
  Generator gen(5);
  const Tensor z = randn({5, 6}, gen, TensorOptions{DType::Float64}).requires_grad_(true);
  const Tensor y = randint(0, 6, {5}, gen), t = other_class(y, 6);
  EXPECT_TRUE(testing::gradcheck([&](const std::vector<Tensor>& in) { return attack_loss(in[0], y, AttackLoss::Dlr); }, {z}));
  EXPECT_TRUE(testing::gradcheck([&](const std::vector<Tensor>& in) { return targeted_dlr_loss(in[0], y, t); }, {z}));
}

TEST(Dlr, NeedsEnoughClasses) {
  const Tensor z = from_vector(std::vector<double>{1, 2, 1, 2}, {2, 2});
  const Tensor y = from_vector(std::vector<std::int64_t>{0, 1}, {2});
  testing::expect_error([&] { (void)attack_loss(z, y, AttackLoss::Dlr); }, {"DLR", ">= 3"});
  testing::expect_error([&] { (void)targeted_dlr_loss(z, y, y); }, {"targeted_dlr_loss", ">= 4"});
}

TEST(Apgd, KeepsTheContractInBothNorms) {
  for (Norm norm : {Norm::Linf, Norm::L2})
    for (AttackLoss loss : {AttackLoss::CrossEntropy, AttackLoss::Dlr}) {
      SCOPED_TRACE(std::string(norm == Norm::Linf ? "linf" : "l2") + (loss == AttackLoss::Dlr ? " dlr" : " ce"));
      AttackSetup s = own_labels(1, "cnn-bn");
      s.model->train();
      const auto before = s.model->state_dict();
      std::map<std::string, std::vector<double>> values;
      for (auto& [k, v] : before) values[k] = v.to_double_vector();
      AttackOptions o;
      o.norm = norm, o.loss = loss, o.steps = 12, o.random_start = true, o.restarts = 2;
      o.eps = norm == Norm::Linf ? 0.05 : 0.5;
      Generator gen(3);
      const AttackResult r = apgd(*s.model, s.x, s.y, o, gen);
      expect_inside(r, s.x, o.eps, norm);
      EXPECT_TRUE(s.model->is_training()) << "mode restored";
      for (auto& [k, v] : s.model->state_dict()) EXPECT_EQ(v.to_double_vector(), values[k]) << k;
      for (auto& p : s.model->parameters()) EXPECT_FALSE(p.grad().defined());
      // success is exactly "misclassified at x_adv".
      NoGradGuard no_grad;
      s.model->eval();
      EXPECT_EQ(r.success.to_double_vector(), ne(argmax((*s.model)(r.x_adv), 1), s.y).to(DType::Float32).to_double_vector());
    }
}

TEST(Apgd, DeterministicGivenAGenerator) {
  AttackSetup s = own_labels(2);
  AttackOptions o;
  o.eps = 0.05, o.steps = 8, o.random_start = true;
  Generator a(9), b(9);
  EXPECT_EQ(apgd(*s.model, s.x, s.y, o, a).x_adv.to_double_vector(), apgd(*s.model, s.x, s.y, o, b).x_adv.to_double_vector());
  Generator c(9), d(9);
  EXPECT_EQ(apgd_targeted(*s.model, s.x, s.y, o, c, 3).x_adv.to_double_vector(),
            apgd_targeted(*s.model, s.x, s.y, o, d, 3).x_adv.to_double_vector());
}

TEST(Apgd, BreaksMoreThanFixedStepPgdWithTheSameSteps) {
  AttackSetup s = own_labels(3, "small-cnn", 40);
  AttackOptions o;
  o.eps = 0.03, o.steps = 20, o.random_start = true;
  Generator g1(1), g2(1);
  const double apgd_rate = apgd(*s.model, s.x, s.y, o, g1).success_rate();
  o.step_size = 2.5 * o.eps / o.steps;  // the workshop's PGD
  const double pgd_rate = pgd(*s.model, s.x, s.y, o, g2).success_rate();
  EXPECT_GT(apgd_rate, 0.0);
  EXPECT_GE(apgd_rate, pgd_rate);
}

TEST(ApgdTargeted, KeepsTheContractAndChecksItsArguments) {
  AttackSetup s = own_labels(4);
  AttackOptions o;
  o.eps = 0.05, o.steps = 6, o.random_start = true;
  Generator gen(2);
  const AttackResult r = apgd_targeted(*s.model, s.x, s.y, o, gen, 3);
  expect_inside(r, s.x, o.eps, Norm::Linf);
  for (auto& p : s.model->parameters()) EXPECT_FALSE(p.grad().defined());
  testing::expect_error([&] { (void)apgd_targeted(*s.model, s.x, s.y, o, gen, 10); }, {"apgd_targeted", "target_classes"});
  o.targeted = true;
  testing::expect_error([&] { (void)apgd(*s.model, s.x, s.y, o, gen); }, {"apgd", "apgd_targeted"});
}

TEST(Square, WindowShareHalvesOnTheSchedule) {
  EXPECT_EQ(square_window_share(0.8, 0, 10000), 0.8);
  EXPECT_EQ(square_window_share(0.8, 10, 10000), 0.8);   // thresholds are passed strictly
  EXPECT_EQ(square_window_share(0.8, 11, 10000), 0.4);
  EXPECT_EQ(square_window_share(0.8, 5000, 10000), 0.8 / 128);  // past 10 50 200 500 1000 2000 4000
  EXPECT_EQ(square_window_share(0.8, 500, 5000), 0.8 / 16);    // rescaled: 1000 of 10,000, past four
}

TEST(Square, KeepsTheContractWithoutAnyGradient) {
  AttackSetup s = own_labels(5, "cnn-bn");
  s.model->train();
  SquareOptions o;
  o.eps = 0.05, o.queries = 40;
  Generator a(4), b(4);
  const AttackResult r = square_attack(*s.model, s.x, s.y, o, a);
  expect_inside(r, s.x, o.eps, Norm::Linf);
  EXPECT_TRUE(s.model->is_training());
  for (auto& p : s.model->parameters()) EXPECT_FALSE(p.grad().defined());
  EXPECT_EQ(r.x_adv.to_double_vector(), square_attack(*s.model, s.x, s.y, o, b).x_adv.to_double_vector());
  testing::expect_error([&] { (void)square_attack(*s.model, s.x.flatten(1), s.y, o, a); }, {"square_attack", "[N, C, H, W]"});
}

// A classifier whose input gradient is zero everywhere: it binarises every
// pixel at 0.5 (sign has a zero derivative) and says class 0 when more than
// 31.5 of its 64 pixels are bright. Gradient attacks see no direction at all.
class BinarisingCounter : public nn::Module {
 public:
  Tensor forward(const Tensor& x) override {
    const Tensor bright = sum((sign(x - 0.5) + 1.0) * 0.5, {1, 2, 3});  // [N]
    return stack({bright - 31.5, 31.5 - bright}, 1);
  }
  std::string type_name() const override { return "BinarisingCounter"; }
};

TEST(Square, FindsWhatPgdCannotOnAModelWithMaskedGradients) {
  // 40 bright pixels at 0.74 (one eps-step of 0.25 from dark), 24 dark at 0.1:
  // class 0, and 9 bright pixels must go dark to flip it. A random start moves
  // a bright pixel below 0.5 with probability 0.01 / 0.5.
  const std::int64_t n = 12;
  std::vector<double> pixels;
  Generator gen(6);
  for (std::int64_t i = 0; i < n; ++i) {
    std::vector<double> img(64, 0.1);
    for (int k = 0; k < 40; ++k) img[static_cast<std::size_t>(k)] = 0.74;
    for (std::size_t k = img.size() - 1; k > 0; --k)  // a random arrangement per image
      std::swap(img[k], img[static_cast<std::size_t>(gen.next_int(0, static_cast<std::int64_t>(k) + 1))]);
    pixels.insert(pixels.end(), img.begin(), img.end());
  }
  const Tensor x = from_vector(pixels, {n, 1, 8, 8}).to(DType::Float32);
  const Tensor y = zeros({n}, TensorOptions{DType::Int64});
  BinarisingCounter model;
  AttackOptions o;
  o.eps = 0.25, o.steps = 40, o.step_size = 2.5 * o.eps / 40, o.random_start = true;
  Generator g1(1), g2(1), g3(1);
  EXPECT_EQ(pgd(model, x, y, o, g1).success_rate(), 0.0) << "PGD-40 sees a zero gradient";
  EXPECT_EQ(apgd(model, x, y, o, g2).success_rate(), 0.0) << "so does APGD";
  const AttackResult square = square_attack(model, x, y, {o.eps, 500, 0.8, 0.0, 1.0}, g3);
  EXPECT_EQ(square.success_rate(), 1.0) << "Square needs no gradient";
  expect_inside(square, x, o.eps, Norm::Linf);
}

TEST(AutoAttack, IsNeverWeakerThanPgd40AndRecordsWhoBrokeWhat) {
  AttackSetup s = own_labels(7, "small-cnn", 30);
  AutoAttackOptions ao;
  ao.eps = 0.03, ao.apgd_steps = 20, ao.target_classes = 3, ao.square_queries = 100;
  std::vector<std::string> seen;
  Generator gen(2);
  const AutoAttackResult aa =
      autoattack(*s.model, s.x, s.y, ao, gen, [&](const std::string& a, std::int64_t) { seen.push_back(a); });
  EXPECT_EQ(seen, (std::vector<std::string>{"apgd-ce", "apgd-t", "fab-t", "square"}));
  ASSERT_EQ(aa.stages.size(), 5u);
  EXPECT_EQ(aa.stages[0].attack, "clean");
  EXPECT_EQ(aa.stages[0].robust, 30);  // labelled with its own answers
  for (std::size_t k = 1; k < aa.stages.size(); ++k) EXPECT_LE(aa.stages[k].robust, aa.stages[k - 1].robust);
  expect_inside(aa.result, s.x, ao.eps, Norm::Linf);
  // Robust per the ensemble means still correctly classified at the kept point.
  const auto pred = argmax((*s.model)(aa.result.x_adv).detach(), 1).to_int_vector(), labels = s.y.to_int_vector();
  const auto broken_by = aa.broken_by.to_int_vector();
  for (std::size_t i = 0; i < pred.size(); ++i) EXPECT_EQ(pred[i] != labels[i], broken_by[i] >= 0) << i;
  AttackOptions o;
  o.eps = ao.eps, o.steps = 40, o.step_size = 2.5 * o.eps / 40, o.random_start = true;
  Generator g(2);
  const double pgd_accuracy = 1 - pgd(*s.model, s.x, s.y, o, g).success_rate();
  EXPECT_LE(aa.robust_accuracy(), pgd_accuracy);
}

}  // namespace
}  // namespace advgrad::attacks
