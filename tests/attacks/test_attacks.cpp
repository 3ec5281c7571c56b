// The attack contract as properties on random models and inputs.
#include <cmath>

#include "advgrad/attacks/attack.h"
#include "advgrad/nn/containers.h"
#include "advgrad/nn/linear.h"
#include "advgrad/nn/models.h"
#include "attack_setup.h"
#include "testing.h"

namespace advgrad::attacks {
namespace {

using testing::AttackSetup;
using testing::random_cnn;

double max_linf(const Tensor& a, const Tensor& b) { return amax(abs(a - b)).item(); }

TEST(Attacks, StayInsideTheBallAndTheRange) {
  for (Norm norm : {Norm::Linf, Norm::L2})
    for (bool random_start : {false, true}) {
      SCOPED_TRACE(std::string(norm == Norm::Linf ? "linf" : "l2") + (random_start ? " random start" : ""));
      AttackSetup s = random_cnn(1);
      AttackOptions o;
      o.norm = norm;
      o.normalizer = norm == Norm::Linf ? Normalizer::Sign : Normalizer::L2;
      o.eps = norm == Norm::Linf ? 0.05 : 0.8;
      o.step_size = norm == Norm::Linf ? 0.02 : 0.3;
      o.steps = 7;
      o.random_start = random_start;
      Generator gen(3);
      AttackResult r = pgd(*s.model, s.x, s.y, o, gen);
      EXPECT_EQ(r.x_adv.shape(), s.x.shape());
      EXPECT_FALSE(r.x_adv.requires_grad());
      EXPECT_GE(amin(r.x_adv).item(), 0.0);
      EXPECT_LE(amax(r.x_adv).item(), 1.0);
      const double dist = norm == Norm::Linf ? max_linf(r.x_adv, s.x) : amax(norm_per_sample(r.x_adv - s.x, 2)).item();
      EXPECT_LE(dist, o.eps + 1e-5);
      EXPECT_GT(max_linf(r.x_adv, s.x), 0.0) << "the attack moved";
    }
}

TEST(Attacks, FgsmIsOnePgdStepFromZeroWithStepEps) {
  AttackSetup s = random_cnn(2);
  AttackOptions o;
  o.eps = 0.07;
  o.step_size = 0.07;
  o.steps = 1;
  Generator gen(0);
  AttackResult a = fgsm(*s.model, s.x, s.y, 0.07), b = pgd(*s.model, s.x, s.y, o, gen);
  EXPECT_EQ(a.x_adv.to_double_vector(), b.x_adv.to_double_vector());
  // And it is x + eps sign(dL/dx) clipped, computed by hand here.
  Tensor xr = s.x.clone().requires_grad_(true);
  s.model->eval();
  Tensor g = autograd::grad({sum(cross_entropy((*s.model)(xr), s.y, Reduction::None))}, {xr})[0];
  EXPECT_TRUE(testing::all_close(a.x_adv, clamp(s.x + sign(g) * 0.07, 0.0, 1.0), 0, 1e-7));
}

TEST(Attacks, FgsmIsTheExactLinfOptimumOnALinearModel) {
  // For logits = W x + b and two classes, CE is monotone in the margin
  // m(x) = (w_wrong - w_true) . x, which is maximised over the L-inf ball at
  // x + eps sign(w_wrong - w_true): exactly what FGSM does (no clipping here).
  Generator gen(4);
  auto lin = std::make_shared<nn::Linear>(6, 2, gen);
  auto model = std::make_shared<nn::Sequential>(std::vector<nn::ModulePtr>{std::make_shared<nn::Flatten>(), lin});
  Tensor x = uniform({5, 6}, 0.3, 0.7, gen);
  Tensor y = from_vector(std::vector<std::int64_t>{0, 1, 0, 1, 1}, {5});
  const double eps = 0.1;
  AttackResult r = fgsm(*model, x, y, eps);
  const auto w = lin->weight.to_double_vector();
  const auto xv = x.to_double_vector(), adv = r.x_adv.to_double_vector(), yv = y.to_double_vector();
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 6; ++j) {
      const int t = static_cast<int>(yv[i]), o = 1 - t;
      const double dir = w[o * 6 + j] - w[t * 6 + j];
      const double want = xv[i * 6 + j] + eps * (dir > 0 ? 1 : dir < 0 ? -1 : 0);
      EXPECT_NEAR(adv[i * 6 + j], want, 1e-6) << "example " << i << " pixel " << j;
    }
}

TEST(Attacks, PgdIsAtLeastAsStrongAsFgsmOnAverage) {
  AttackSetup s = random_cnn(5, "small-cnn", 16);
  AttackOptions o;
  o.eps = 0.1;
  o.step_size = 0.02;
  o.steps = 10;
  Generator gen(1);
  const double f = mean(fgsm(*s.model, s.x, s.y, 0.1).loss).item();
  const double p = mean(pgd(*s.model, s.x, s.y, o, gen).loss).item();
  EXPECT_GE(p, f - 1e-6);
}

TEST(Attacks, TargetedAttacksRaiseTheTargetProbability) {
  for (auto objective : {TargetedObjective::TrueMinusTarget, TargetedObjective::MinimiseTarget}) {
    AttackSetup s = random_cnn(6);
    AttackOptions o;
    o.targeted = true;
    o.target_mode = TargetMode::Fixed;
    o.target_class = 3;
    o.objective = objective;
    o.eps = 0.2;
    o.step_size = 0.02;
    o.steps = 15;
    Generator gen(2);
    AttackResult r = pgd(*s.model, s.x, s.y, o, gen);
    NoGradGuard no_grad;
    s.model->eval();
    const double before = mean(softmax((*s.model)(s.x), 1).select(1, 3)).item();
    const double after = mean(softmax((*s.model)(r.x_adv), 1).select(1, 3)).item();
    EXPECT_GT(after, before);
    EXPECT_EQ(r.targets.to_int_vector(), std::vector<std::int64_t>(8, 3));
  }
}

TEST(Attacks, TargetChoiceNeverPicksTheTrueClass) {
  AttackSetup s = random_cnn(7, "mlp", 32);
  for (TargetMode mode : {TargetMode::Random, TargetMode::LeastLikely}) {
    AttackOptions o;
    o.targeted = true;
    o.target_mode = mode;
    Generator gen(9);
    auto t = choose_targets(*s.model, s.x, s.y, o, gen, 10).to_int_vector();
    auto y = s.y.to_int_vector();
    for (std::size_t i = 0; i < t.size(); ++i) {
      EXPECT_NE(t[i], y[i]);
      EXPECT_GE(t[i], 0);
      EXPECT_LT(t[i], 10);
    }
  }
}

TEST(Attacks, LeaveParameterGradsAndBatchNormStatisticsAlone) {
  AttackSetup s = random_cnn(8, "cnn-bn");
  s.model->train();
  auto before = s.model->state_dict();
  std::map<std::string, std::vector<double>> values;
  for (auto& [k, t] : before) values[k] = t.to_double_vector();
  AttackOptions o;
  o.steps = 3;
  Generator gen(0);
  pgd(*s.model, s.x, s.y, o, gen);
  EXPECT_TRUE(s.model->is_training()) << "mode restored";
  for (auto& [k, t] : s.model->state_dict()) EXPECT_EQ(t.to_double_vector(), values[k]) << k;
  for (auto& p : s.model->parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST(Attacks, RestartsNeverMakeAnExampleLessAdversarial) {
  AttackSetup s = random_cnn(9);
  AttackOptions o;
  o.eps = 0.05;
  o.step_size = 0.01;
  o.steps = 3;
  o.random_start = true;
  Generator g1(5), g2(5);
  AttackResult one = pgd(*s.model, s.x, s.y, o, g1);
  o.restarts = 4;
  AttackResult many = pgd(*s.model, s.x, s.y, o, g2);  // same first restart (same generator state)
  const auto l1 = one.loss.to_double_vector(), l4 = many.loss.to_double_vector();
  const auto s1 = one.success.to_double_vector(), s4 = many.success.to_double_vector();
  for (std::size_t i = 0; i < l1.size(); ++i) {
    EXPECT_GE(s4[i], s1[i]);
    if (s4[i] == s1[i]) {
      EXPECT_GE(l4[i], l1[i] - 1e-6);
    }
  }
}

TEST(Attacks, DeterministicGivenAGenerator) {
  AttackSetup s = random_cnn(10);
  AttackOptions o;
  o.random_start = true;
  o.steps = 4;
  o.momentum = 1.0;  // MI-FGSM
  Generator a(77), b(77);
  EXPECT_EQ(pgd(*s.model, s.x, s.y, o, a).x_adv.to_double_vector(), pgd(*s.model, s.x, s.y, o, b).x_adv.to_double_vector());
}

TEST(Attacks, MarginLossAndEarlyStop) {
  AttackSetup s = random_cnn(11);
  AttackOptions o;
  o.loss = AttackLoss::Margin;
  o.early_stop = true;
  o.eps = 0.3;
  o.step_size = 0.05;
  o.steps = 10;
  Generator gen(1);
  AttackResult r = pgd(*s.model, s.x, s.y, o, gen);
  EXPECT_LE(max_linf(r.x_adv, s.x), 0.3 + 1e-6);
  // Margin > 0 exactly when misclassified.
  const auto loss = r.loss.to_double_vector(), succ = r.success.to_double_vector();
  for (std::size_t i = 0; i < loss.size(); ++i) EXPECT_EQ(loss[i] > 0, succ[i] == 1.0) << i;
}

TEST(Attacks, BadArgumentsAreClearErrors) {
  AttackSetup s = random_cnn(12);
  Generator gen(0);
  auto expect_msg = [&](AttackOptions o, const std::string& fragment, Tensor x = {}, Tensor y = {}) {
    try {
      pgd(*s.model, x.defined() ? x : s.x, y.defined() ? y : s.y, o, gen);
      ADD_FAILURE() << "expected: " << fragment;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  AttackOptions o;
  o.eps = -1;
  expect_msg(o, "eps must be >= 0");
  o = {};
  o.steps = 0;
  expect_msg(o, "steps must be >= 1");
  o = {};
  o.lo = 1;
  o.hi = 0;
  expect_msg(o, "lo < hi");
  expect_msg({}, "inputs must lie in [0, 1]", s.x * 3.0);
  expect_msg({}, "labels must be int64", {}, s.y.to(DType::Float32));
  o = {};
  o.targeted = true;
  o.target_class = 12;
  expect_msg(o, "out of range");
}

}  // namespace
}  // namespace advgrad::attacks
