// FAB and FAB-T (attacks/fab.h): the box-constrained L-inf projection against
// an independent bisection and the closed form without a box, the attack
// against the analytic minimal L-inf perturbation of an affine multi-class
// classifier, the final eps check, and the attack contract on a small CNN.
#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "advgrad/attacks/fab.h"
#include "advgrad/core/grad_mode.h"
#include "affine_model.h"
#include "attack_setup.h"
#include "expect_error.h"
#include "testing.h"

namespace advgrad::attacks {
namespace {

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  return std::inner_product(a.begin(), a.end(), b.begin(), 0.0);
}

double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double e : v) m = std::max(m, std::abs(e));
  return m;
}

std::vector<double> uniform(std::size_t d, Generator& gen, double lo, double hi) {
  std::vector<double> v(d);
  for (double& e : v) e = lo + (hi - lo) * gen.next_double();
  return v;
}

// The smallest t at which some point of the box within L-inf distance t of z
// reaches the hyperplane, by bisection on the largest change of <w, .> that
// the cube [z - t, z + t] n [lo, hi] allows in the needed direction: an
// independent check of the sorted-breakpoint solution.
double bisect_radius(const std::vector<double>& z, const std::vector<double>& w, double b, double lo, double hi) {
  const double r = -(dot(w, z) + b);
  const auto reach = [&](double t) {
    double s = 0;
    for (std::size_t i = 0; i < z.size(); ++i) {
      const double lo_i = std::max(lo, z[i] - t), hi_i = std::min(hi, z[i] + t);
      s += r > 0 ? std::max(w[i] * (lo_i - z[i]), w[i] * (hi_i - z[i]))
                 : std::min(w[i] * (lo_i - z[i]), w[i] * (hi_i - z[i]));
    }
    return std::abs(s);
  };
  double a = 0, c = hi - lo;
  for (int it = 0; it < 200; ++it) {
    const double m = 0.5 * (a + c);
    (reach(m) >= std::abs(r) ? c : a) = m;
  }
  return c;
}

TEST(FabProjection, SolvesTheBoxConstrainedLinfProblem) {
  Generator gen(31);
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t d = 37 + static_cast<std::size_t>(trial);
    const std::vector<double> z = uniform(d, gen, 0, 1), target = uniform(d, gen, 0, 1);
    std::vector<double> w(d);
    for (double& e : w) e = 2 * gen.next_double() - 1;
    if (trial % 3 == 0) w[3] = 0, w[7] = 0;  // coordinates the hyperplane ignores stay put
    const double b = -dot(w, target);        // the hyperplane meets the box (at target at least)
    const std::vector<double> delta = fab_linf_projection(z, w, b, 0, 1);
    std::vector<double> moved(d);
    for (std::size_t i = 0; i < d; ++i) {
      moved[i] = z[i] + delta[i];
      EXPECT_GE(moved[i], -1e-12);
      EXPECT_LE(moved[i], 1 + 1e-12);
    }
    EXPECT_NEAR(dot(w, moved) + b, 0, 1e-9) << "on the hyperplane";
    if (trial % 3 == 0) {
      EXPECT_EQ(delta[3], 0.0);
      EXPECT_EQ(delta[7], 0.0);
    }
    EXPECT_NEAR(max_abs(delta), bisect_radius(z, w, b, 0, 1), 1e-9) << "the smallest L-inf radius";
    std::vector<double> to_target(d);
    for (std::size_t i = 0; i < d; ++i) to_target[i] = target[i] - z[i];
    EXPECT_LE(max_abs(delta), max_abs(to_target) + 1e-12) << "never farther than a known point of the plane";
  }
}

TEST(FabProjection, HasTheClosedFormWithoutABoxAndTheCornerWhenThePlaneMissesIt) {
  Generator gen(32);
  const std::size_t d = 23;
  const std::vector<double> z = uniform(d, gen, 0.2, 0.8);
  std::vector<double> w(d);
  for (double& e : w) e = 2 * gen.next_double() - 1;
  const double b = 0.37 - dot(w, z);  // r = -0.37
  // No box: delta = sign(r w) |r| / ||w||_1, the dual-norm distance.
  const std::vector<double> free = fab_linf_projection(z, w, b, -1e9, 1e9);
  const double l1 = std::accumulate(w.begin(), w.end(), 0.0, [](double s, double v) { return s + std::abs(v); });
  for (std::size_t i = 0; i < d; ++i) EXPECT_NEAR(free[i], (w[i] > 0 ? -1.0 : 1.0) * 0.37 / l1, 1e-12) << i;
  // A plane beyond the box: every coordinate goes to the side that moves <w, .> toward it.
  const double far = 1e3 - dot(w, z);
  const std::vector<double> corner = fab_linf_projection(z, w, far, 0, 1);
  for (std::size_t i = 0; i < d; ++i) EXPECT_NEAR(z[i] + corner[i], w[i] > 0 ? 0.0 : 1.0, 1e-12) << i;
  EXPECT_EQ(fab_linf_projection(z, w, -dot(w, z), 0, 1), std::vector<double>(d, 0.0)) << "already on the plane";
}

// Per example of an affine model, the L-inf distance |z_l - z_y| / ||W_l - W_y||_1
// to each pairwise boundary (+inf for l = y).
std::vector<std::vector<double>> boundary_distances(const testing::Affine& a, std::int64_t classes) {
  const std::vector<double> W = a.model->weight.to_double_vector(), b = a.model->bias.to_double_vector();
  const std::vector<double> x = a.x.to_double_vector();
  const std::vector<std::int64_t> y = a.y.to_int_vector();
  const std::size_t d = static_cast<std::size_t>(a.x.size(1)), c = static_cast<std::size_t>(classes);
  std::vector<std::vector<double>> out(y.size(), std::vector<double>(c, INFINITY));
  for (std::size_t i = 0; i < y.size(); ++i) {
    const std::size_t yi = static_cast<std::size_t>(y[i]);
    for (std::size_t l = 0; l < c; ++l) {
      if (l == yi) continue;
      double f = b[l] - b[yi], l1 = 0;
      for (std::size_t j = 0; j < d; ++j) {
        const double w = W[l * d + j] - W[yi * d + j];
        f += w * x[i * d + j], l1 += std::abs(w);
      }
      out[i][l] = std::abs(f) / l1;
    }
  }
  return out;
}

TEST(Fab, ReachesTheAnalyticMinimalLinfPerturbationOfAnAffineClassifier) {
  // For an affine model the misclassified region is the union of the half
  // spaces z_l >= z_y, so the minimal L-inf perturbation is min_l of the
  // distances above. FAB-T toward the top wrong class must land on (just
  // past) that class's boundary or closer, and never inside the minimum.
  const std::int64_t classes = 6;
  testing::Affine a = testing::affine(41, 11, classes, 13);
  const auto dist = boundary_distances(a, classes);
  NoGradGuard no_grad;
  const std::vector<std::int64_t> top_wrong = ranked_classes((*a.model)(a.x), 1).to_int_vector();
  for (int targets : {1, 0}) {
    SCOPED_TRACE(targets == 1 ? "fab-t, the top wrong class" : "untargeted fab");
    FabOptions o;
    o.eps = 1e3, o.lo = -1e3, o.hi = 1e3;  // neither the ball nor the box binds
    o.target_classes = targets;
    Generator gen(1);
    const AttackResult r = fab(*a.model, a.x, a.y, o, gen);
    EXPECT_EQ(r.success_rate(), 1.0);
    const std::vector<double> x = a.x.to_double_vector(), adv = r.x_adv.to_double_vector();
    for (std::size_t i = 0; i < dist.size(); ++i) {
      double norm = 0;
      for (std::size_t j = 0; j < 11; ++j) norm = std::max(norm, std::abs(adv[i * 11 + j] - x[i * 11 + j]));
      const double closest = *std::min_element(dist[i].begin(), dist[i].end());
      const double aimed = targets == 1 ? dist[i][static_cast<std::size_t>(top_wrong[i])] : closest;
      EXPECT_GE(norm, closest * (1 - 1e-9)) << i << ": below the minimal perturbation";
      // The first step lands at 1.05 x the distance (eta); the bias toward x and
      // the backward steps close in on the boundary (to about 1.0052 x here).
      EXPECT_LE(norm, aimed * 1.01) << i;
      EXPECT_NEAR(r.loss.to_double_vector()[i], -norm, 1e-5);
    }
  }
}

TEST(Fab, KeepsOnlyPointsWithinEps) {
  // The same affine model with eps below every example's minimal perturbation:
  // FAB finds points, but none counts; x comes back unchanged.
  testing::Affine a = testing::affine(42, 7, 4, 9);
  const auto dist = boundary_distances(a, 4);
  double smallest = INFINITY;
  for (const auto& row : dist) smallest = std::min(smallest, *std::min_element(row.begin(), row.end()));
  FabOptions o;
  o.eps = 0.9 * smallest, o.lo = -1e3, o.hi = 1e3, o.target_classes = 3, o.steps = 20;
  Generator gen(2);
  const AttackResult r = fab(*a.model, a.x, a.y, o, gen);
  EXPECT_EQ(r.success_rate(), 0.0);
  const std::vector<double> adv = r.x_adv.to_double_vector(), x = a.x.to_double_vector();
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(adv[i], x[i]) << i;
  for (double l : r.loss.to_double_vector()) EXPECT_EQ(l, -INFINITY);
}

TEST(Fab, KeepsTheContract) {
  for (int targets : {3, 0}) {
    SCOPED_TRACE(targets);
    testing::AttackSetup s = testing::random_cnn(43, "cnn-bn", 7, true);
    s.model->train();
    std::map<std::string, std::vector<double>> values;
    for (auto& [k, v] : s.model->state_dict()) values[k] = v.to_double_vector();
    FabOptions o;
    o.eps = 0.08, o.steps = 6, o.target_classes = targets, o.restarts = 2;  // the second run starts at random
    Generator a(5), b(5);
    const AttackResult r = fab(*s.model, s.x, s.y, o, a);
    EXPECT_EQ(r.x_adv.shape(), s.x.shape());
    EXPECT_FALSE(r.x_adv.requires_grad());
    EXPECT_GE(amin(r.x_adv).item(), 0.0);
    EXPECT_LE(amax(r.x_adv).item(), 1.0);
    EXPECT_LE(amax(abs(r.x_adv - s.x)).item(), o.eps + 1e-6);
    EXPECT_TRUE(s.model->is_training()) << "mode restored";
    for (auto& [k, v] : s.model->state_dict()) EXPECT_EQ(v.to_double_vector(), values[k]) << k;
    for (auto& p : s.model->parameters()) EXPECT_FALSE(p.grad().defined());
    EXPECT_EQ(r.x_adv.to_double_vector(), fab(*s.model, s.x, s.y, o, b).x_adv.to_double_vector()) << "deterministic";
    NoGradGuard no_grad;
    s.model->eval();
    EXPECT_EQ(r.success.to_double_vector(),
              ne(argmax((*s.model)(r.x_adv), 1), s.y).to(DType::Float32).to_double_vector());
  }
}

TEST(Fab, ChecksItsArguments) {
  testing::AttackSetup s = testing::random_cnn(44, "small-cnn", 3, true);
  Generator gen(1);
  FabOptions o;
  o.target_classes = 10;
  testing::expect_error([&] { (void)fab(*s.model, s.x, s.y, o, gen); }, {"fab", "target_classes"});
  o = FabOptions{};
  o.beta = 1;
  testing::expect_error([&] { (void)fab(*s.model, s.x, s.y, o, gen); }, {"fab", "beta"});
  o = FabOptions{};
  o.eta = 0.5;
  testing::expect_error([&] { (void)fab(*s.model, s.x, s.y, o, gen); }, {"fab", "eta"});
  testing::expect_error([] { (void)fab_linf_projection({1, 2}, {1}, 0, 0, 1); }, {"fab_linf_projection"});
}

}  // namespace
}  // namespace advgrad::attacks
