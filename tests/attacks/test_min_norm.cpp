// The minimal-norm attacks, DeepFool and Carlini-Wagner L2: DeepFool against
// the analytic closest boundary point of an affine classifier, Carlini-Wagner
// against a PGD-L2 baseline, the norm summary on hand-computed values, and
// the attack contract on small models.
#include <cmath>
#include <map>

#include "advgrad/attacks/carlini_wagner.h"
#include "advgrad/attacks/deepfool.h"
#include "advgrad/attacks/min_norm.h"
#include "advgrad/core/grad_mode.h"
#include "affine_model.h"
#include "attack_setup.h"
#include "expect_error.h"
#include "testing.h"

namespace advgrad::attacks {
namespace {

using testing::Affine;
using testing::AttackSetup;
using testing::affine;

TEST(DeepFool, ReachesTheClosestBoundaryOfAnAffineBinaryClassifierInOneStep) {
  for (Norm norm : {Norm::L2, Norm::Linf}) {
    SCOPED_TRACE(norm == Norm::L2 ? "l2" : "linf");
    Affine a = affine(11, 13, 2, 9);
    DeepFoolOptions o;
    o.norm = norm, o.lo = -100, o.hi = 100;  // a box far away: no clipping
    const AttackResult r = deepfool(*a.model, a.x, a.y, o);
    EXPECT_EQ(r.success_rate(), 1.0);
    // The boundary z_1 - z_0 = w.x + c = 0, w = W_1 - W_0, c = b_1 - b_0.
    const std::vector<double> W = a.model->weight.to_double_vector(), b = a.model->bias.to_double_vector();
    const std::vector<double> x = a.x.to_double_vector(), adv = r.x_adv.to_double_vector();
    const std::vector<std::int64_t> y = a.y.to_int_vector();
    const std::size_t d = 13;
    double w_l2 = 0, w_l1 = 0;
    for (std::size_t k = 0; k < d; ++k) {
      const double w = W[d + k] - W[k];
      w_l2 += w * w, w_l1 += std::abs(w);
    }
    w_l2 = std::sqrt(w_l2);
    for (std::size_t i = 0; i < y.size(); ++i) {
      // Toward the other class k: f' = z_k - z_y = s (w.x + c), gradient s w, s = +1 when y = 0.
      const double s = y[i] == 0 ? 1.0 : -1.0;
      double f = b[1] - b[0];
      for (std::size_t k = 0; k < d; ++k) f += (W[d + k] - W[k]) * x[i * d + k];
      f *= s;
      const double dual = norm == Norm::L2 ? w_l2 : w_l1;
      const double distance = std::abs(f) / dual;  // the analytic distance to the boundary (dual norm: Linf)
      double moved = 0;
      for (std::size_t k = 0; k < d; ++k) {
        const double w = s * (W[d + k] - W[k]);
        // The paper's step, times 1 + overshoot: the closest boundary point pushed across.
        const double step = norm == Norm::L2 ? (std::abs(f) + 1e-4) / (w_l2 * w_l2) * w
                                             : (std::abs(f) + 1e-4) / w_l1 * (w > 0 ? 1.0 : -1.0);
        EXPECT_NEAR(adv[i * d + k], x[i * d + k] + (1 + o.overshoot) * step, 1e-9) << i << " " << k;
        moved = norm == Norm::L2 ? moved + (adv[i * d + k] - x[i * d + k]) * (adv[i * d + k] - x[i * d + k])
                                 : std::max(moved, std::abs(adv[i * d + k] - x[i * d + k]));
      }
      if (norm == Norm::L2) moved = std::sqrt(moved);
      EXPECT_GE(moved, distance) << "it crossed the boundary";
      EXPECT_LE(moved, (1 + o.overshoot) * (distance + 1e-4 / dual) + 1e-12) << "within the overshoot";
    }
  }
}

TEST(DeepFool, FindsTheClosestOfSeveralBoundaries) {
  // Several classes: the first step goes to the nearest linearised boundary,
  // so DeepFool's norm is never above the distance to any single one of them
  // by more than the overshoot (for an affine model the iteration only adds
  // more steps when that boundary's class is not the new argmax).
  Affine a = affine(12, 9, 5, 11);
  DeepFoolOptions o;
  o.lo = -100, o.hi = 100;
  const AttackResult r = deepfool(*a.model, a.x, a.y, o);
  EXPECT_EQ(r.success_rate(), 1.0);
  const std::vector<double> norms = perturbation_norms(a.x, r.x_adv);
  const std::vector<double> W = a.model->weight.to_double_vector(), b = a.model->bias.to_double_vector();
  const std::vector<double> x = a.x.to_double_vector();
  const std::vector<std::int64_t> y = a.y.to_int_vector();
  for (std::size_t i = 0; i < y.size(); ++i) {
    double closest = 1e300;
    const auto yi = static_cast<std::size_t>(y[i]);
    for (std::size_t k = 0; k < 5; ++k) {
      if (k == yi) continue;
      double f = b[k] - b[yi], w2 = 0;
      for (std::size_t j = 0; j < 9; ++j) {
        const double w = W[k * 9 + j] - W[yi * 9 + j];
        f += w * x[i * 9 + j], w2 += w * w;
      }
      closest = std::min(closest, std::abs(f) / std::sqrt(w2));
    }
    // The minimal perturbation is at least the distance to the closest pairwise boundary.
    EXPECT_GE(norms[i], closest - 1e-9) << i;
  }
}

// The contract of attack.h: [0, 1], detached, the model's mode and state
// unchanged, no parameter gradients, deterministic, success = misclassified.
template <typename Attack>
void expect_contract(Attack attack) {
  AttackSetup s = testing::random_cnn(21, "cnn-bn", 7, true);
  s.model->train();
  std::map<std::string, std::vector<double>> values;
  for (auto& [k, v] : s.model->state_dict()) values[k] = v.to_double_vector();
  const AttackResult r = attack(*s.model, s.x, s.y);
  EXPECT_EQ(r.x_adv.shape(), s.x.shape());
  EXPECT_FALSE(r.x_adv.requires_grad());
  EXPECT_GE(amin(r.x_adv).item(), 0.0);
  EXPECT_LE(amax(r.x_adv).item(), 1.0);
  EXPECT_TRUE(s.model->is_training()) << "mode restored";
  for (auto& [k, v] : s.model->state_dict()) EXPECT_EQ(v.to_double_vector(), values[k]) << k;
  for (auto& p : s.model->parameters()) EXPECT_FALSE(p.grad().defined());
  EXPECT_EQ(r.x_adv.to_double_vector(), attack(*s.model, s.x, s.y).x_adv.to_double_vector()) << "deterministic";
  EXPECT_GT(r.success_rate(), 0.5);
  s.model->eval();
  NoGradGuard no_grad;
  EXPECT_EQ(r.success.to_double_vector(), ne(argmax((*s.model)(r.x_adv), 1), s.y).to(DType::Float32).to_double_vector());
}

TEST(DeepFool, KeepsTheContract) {
  for (Norm norm : {Norm::L2, Norm::Linf}) {
    SCOPED_TRACE(norm == Norm::L2 ? "l2" : "linf");
    expect_contract([norm](nn::Module& m, const Tensor& x, const Tensor& y) {
      DeepFoolOptions o;
      o.norm = norm, o.steps = 20, o.candidates = 4;
      return deepfool(m, x, y, o);
    });
  }
}

TEST(CarliniWagner, KeepsTheContract) {
  expect_contract([](nn::Module& m, const Tensor& x, const Tensor& y) {
    CarliniWagnerOptions o;
    o.steps = 50, o.search_steps = 5, o.initial_c = 1.0, o.learning_rate = 0.05;
    return carlini_wagner(m, x, y, o);
  });
}

TEST(CarliniWagner, FindsNoLargerPerturbationsThanPgdL2) {
  // PGD-L2 at a fixed radius puts its points on (or near) the sphere; the
  // minimal-norm attack must break every example PGD broke, with a median
  // norm no larger.
  AttackSetup s = testing::random_cnn(23, "small-cnn", 13, true);
  AttackOptions pgd_o;
  pgd_o.norm = Norm::L2, pgd_o.normalizer = Normalizer::L2, pgd_o.eps = 1.5, pgd_o.steps = 40;
  pgd_o.step_size = 2.5 * pgd_o.eps / pgd_o.steps;
  Generator gen(5);
  const AttackResult p = pgd(*s.model, s.x, s.y, pgd_o, gen);
  CarliniWagnerOptions o;
  o.steps = 100, o.search_steps = 6, o.initial_c = 1.0, o.learning_rate = 0.05;
  const AttackResult cw = carlini_wagner(*s.model, s.x, s.y, o);
  const std::vector<double> pn = perturbation_norms(s.x, p.x_adv), cn = perturbation_norms(s.x, cw.x_adv);
  const std::vector<double> ps = p.success.to_double_vector(), cs = cw.success.to_double_vector();
  std::vector<double> pgd_norms, cw_norms;
  for (std::size_t i = 0; i < ps.size(); ++i) {
    if (ps[i] == 0) continue;
    EXPECT_EQ(cs[i], 1.0) << "CW missed example " << i << " that PGD-L2 broke";
    pgd_norms.push_back(pn[i]), cw_norms.push_back(cn[i]);
  }
  ASSERT_GE(pgd_norms.size(), 5u) << "PGD-L2 should break most of this random model's examples";
  EXPECT_LE(median(cw_norms), median(pgd_norms));
  EXPECT_GE(cw.success_rate(), p.success_rate());
}

TEST(CarliniWagner, ChecksItsArguments) {
  AttackSetup s = testing::random_cnn(24, "small-cnn", 3, true);
  CarliniWagnerOptions o;
  o.search_steps = 0;
  testing::expect_error([&] { (void)carlini_wagner(*s.model, s.x, s.y, o); }, {"carlini_wagner", "search steps"});
  o.search_steps = 1, o.initial_c = 0;
  testing::expect_error([&] { (void)carlini_wagner(*s.model, s.x, s.y, o); }, {"carlini_wagner", "initial c"});
  DeepFoolOptions d;
  d.candidates = 1;
  testing::expect_error([&] { (void)deepfool(*s.model, s.x, s.y, d); }, {"deepfool", "candidates"});
}

TEST(MinNorm, SummaryMatchesHandComputedValues) {
  // Example 3 was misclassified before the attack: not attacked, not robust.
  const MinNormSummary s =
      summarize_min_norm({1, 1, 1, 0, 1}, {1, 0, 1, 1, 1}, {0.5, 9, 0.2, 0, 1.5}, 1.0);
  EXPECT_EQ(s.count, 5);
  EXPECT_EQ(s.attacked, 4);
  EXPECT_EQ(s.successes, 3);
  EXPECT_DOUBLE_EQ(s.success_rate, 0.75);
  EXPECT_DOUBLE_EQ(s.median_norm, 0.5);
  EXPECT_DOUBLE_EQ(s.mean_norm, 2.2 / 3);
  EXPECT_DOUBLE_EQ(s.accuracy_at_eps, 0.4);  // example 1 (failed) and 4 (1.5 > 1)
  EXPECT_DOUBLE_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_DOUBLE_EQ(median({}), 0.0);
  testing::expect_error([] { (void)summarize_min_norm({1}, {1, 0}, {0.5}); }, {"summarize_min_norm"});
}

TEST(MinNorm, RunAttackKeepsOnlyThePointsInsideTheBall) {
  AttackSetup s = testing::random_cnn(25, "small-cnn", 12, true);
  AttackOptions o;
  o.algorithm = AttackAlgorithm::DeepFool, o.norm = Norm::L2, o.steps = 30;
  const AttackResult free = deepfool(*s.model, s.x, s.y, {o.steps, o.overshoot, o.candidates, o.norm, o.lo, o.hi});
  const std::vector<double> norms = perturbation_norms(s.x, free.x_adv);
  o.eps = median(norms);  // about half the examples inside
  Generator gen(1);
  const AttackResult r = run_attack(*s.model, s.x, s.y, o, gen);
  const std::vector<double> inside = perturbation_norms(s.x, r.x_adv), success = r.success.to_double_vector();
  const std::vector<double> free_success = free.success.to_double_vector();
  double kept = 0;
  for (std::size_t i = 0; i < norms.size(); ++i) {
    EXPECT_LE(inside[i], o.eps + 1e-6) << i;
    if (norms[i] <= o.eps && free_success[i] != 0) kept += 1;
    if (norms[i] > o.eps) {
      EXPECT_EQ(success[i], 0.0) << i << ": outside the ball, it gets x back";
    }
  }
  EXPECT_GT(kept, 0.0);
  EXPECT_NEAR(r.success_rate() * static_cast<double>(norms.size()), kept, 1.0);  // rounding onto the sphere may undo one
  o.algorithm = AttackAlgorithm::CarliniWagner, o.norm = Norm::Linf;
  testing::expect_error([&] { (void)run_attack(*s.model, s.x, s.y, o, gen); }, {"run_attack", "L2"});
}

}  // namespace
}  // namespace advgrad::attacks
