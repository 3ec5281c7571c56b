// NSL-style adversarial regularisation: the loss equals its formula on a
// hand-computed linear model (float64), gradients flow as documented, and the
// regularised model is more robust than the plain one.
#include <cmath>

#include "advgrad/nn/containers.h"
#include "advgrad/nn/linear.h"
#include "advgrad/training/nsl.h"
#include "expect_error.h"
#include "recipe_testing.h"
#include "testing.h"

namespace advgrad::training {
namespace {

using namespace recipe_testing;
using testing::expect_error;

// z = W x + b with W [2, 3], in float64.
const std::vector<double> kW{0.8, -0.5, 0.3, -0.2, 0.6, -0.9}, kB{0.1, -0.2};

nn::ModulePtr linear_model() {
  Generator gen(0);
  auto m = std::make_shared<nn::Linear>(3, 2, gen);
  m->to(DType::Float64);
  const TensorOptions f64{DType::Float64};
  m->load_state_dict({{"weight", from_vector(kW, {2, 3}, f64)}, {"bias", from_vector(kB, {2}, f64)}});
  return m;
}

struct Hand {
  std::vector<std::vector<double>> neighbor;
  double loss = 0;
};

// The formula of training/nsl.h, by hand.
Hand by_hand(const std::vector<std::vector<double>>& xs, const std::vector<int>& ys, const NslOptions& o) {
  auto logits = [](const std::vector<double>& x) {
    std::vector<double> z(2);
    for (int k = 0; k < 2; ++k) z[k] = kB[k] + kW[3 * k] * x[0] + kW[3 * k + 1] * x[1] + kW[3 * k + 2] * x[2];
    return z;
  };
  auto softmax2 = [](const std::vector<double>& z) {
    const double m = std::max(z[0], z[1]);
    const double e0 = std::exp(z[0] - m), e1 = std::exp(z[1] - m);
    return std::vector<double>{e0 / (e0 + e1), e1 / (e0 + e1)};
  };
  Hand h;
  double sup = 0, nb = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const auto& x = xs[i];
    const auto p = softmax2(logits(x));
    // dCE/dx = W^T (p - onehot(y)); the batch mean's 1/N vanishes in the normalisation.
    std::vector<double> g(3), xn(3);
    for (int j = 0; j < 3; ++j) g[j] = kW[j] * (p[0] - (ys[i] == 0)) + kW[3 + j] * (p[1] - (ys[i] == 1));
    const double l2 = std::sqrt(g[0] * g[0] + g[1] * g[1] + g[2] * g[2]);
    for (int j = 0; j < 3; ++j) {
      const double dir = o.adv_grad_norm == "l2" ? g[j] / l2 : (g[j] > 0) - (g[j] < 0);
      xn[j] = std::clamp(x[j] + o.adv_step_size * dir, o.lo, o.hi);
    }
    h.neighbor.push_back(xn);
    const auto q = softmax2(logits(xn));
    sup += -std::log(p[ys[i]]);
    if (o.neighbor_loss == "supervised") nb += -std::log(q[ys[i]]);
    for (int k = 0; k < 2; ++k) {
      if (o.neighbor_loss == "l1") nb += std::abs(p[k] - q[k]);
      if (o.neighbor_loss == "l2") nb += (p[k] - q[k]) * (p[k] - q[k]);
      if (o.neighbor_loss == "kl") nb += p[k] * (std::log(p[k]) - std::log(q[k]));
    }
  }
  const double n = static_cast<double>(xs.size());
  h.loss = sup / n + o.multiplier * nb / n;
  return h;
}

TEST(Nsl, LossEqualsItsFormulaOnAHandComputedLinearModel) {
  // The third example sits at the top of the range: its neighbour is clipped.
  const std::vector<std::vector<double>> xs{{0.2, 0.5, 0.7}, {0.9, 0.1, 0.4}, {1.0, 1.0, 0.98}};
  const std::vector<int> ys{0, 1, 1};
  std::vector<double> flat;
  for (const auto& x : xs) flat.insert(flat.end(), x.begin(), x.end());
  const Tensor x = from_vector(flat, {3, 3}, TensorOptions{DType::Float64});
  const Tensor y = from_vector(std::vector<std::int64_t>{0, 1, 1}, {3});
  nn::ModulePtr m = linear_model();
  for (const std::string norm : {"infinity", "l2"})
    for (const std::string kind : {"supervised", "l1", "l2", "kl"}) {
      NslOptions o;
      o.adv_grad_norm = norm;
      o.neighbor_loss = kind;
      o.adv_step_size = 0.05;
      o.multiplier = 0.2;
      const Hand want = by_hand(xs, ys, o);
      const auto neighbor = nsl_neighbor(*m, x, y, o).to_double_vector();
      for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 3; ++j) EXPECT_NEAR(neighbor[3 * i + j], want.neighbor[i][j], 1e-12) << norm;
      Tensor logits;
      EXPECT_NEAR(nsl_loss(*m, x, y, o, logits).item(), want.loss, 1e-12) << norm << " " << kind;
      EXPECT_EQ(logits.size(0), 3);
    }
  EXPECT_NEAR(nsl_neighbor(*m, x, y, NslOptions{}).to_double_vector()[6], 1.0, 0) << "clipped to hi";
}

// The neighbour is a constant: the parameter gradients of nsl_loss equal
// those of the formula written out with a precomputed, detached neighbour.
// For the distances both outputs carry gradient (NSL's choice); detach_clean
// stops the clean one, which must change the gradients.
TEST(Nsl, NeighbourIsAConstantAndDistancesDifferentiateBothOutputs) {
  Generator gen(1);
  const Tensor x = rand({4, 3}, gen, TensorOptions{DType::Float64});
  const Tensor y = from_vector(std::vector<std::int64_t>{0, 1, 1, 0}, {4});
  for (const std::string kind : {"supervised", "kl", "l2"}) {
    NslOptions o;
    o.neighbor_loss = kind;
    nn::ModulePtr a = linear_model(), b = linear_model(), c = linear_model();
    Tensor logits;
    nsl_loss(*a, x, y, o, logits).backward();
    const Tensor neighbor = nsl_neighbor(*b, x, y, o);
    Tensor zb = (*b)(x), zn = (*b)(neighbor);
    Tensor term;
    if (kind == "supervised") term = cross_entropy(zn, y);
    else if (kind == "kl") term = sum(mul(softmax(zb, 1), sub(log_softmax(zb, 1), log_softmax(zn, 1)))) / 4.0;
    else term = sum(square(sub(softmax(zb, 1), softmax(zn, 1)))) / 4.0;
    add(cross_entropy(zb, y), term * 0.2).backward();
    for (std::size_t p = 0; p < a->parameters().size(); ++p)
      EXPECT_TRUE(testing::all_close(a->parameters()[p].grad(), b->parameters()[p].grad(), 1e-12, 1e-14)) << kind;
    if (kind == "supervised") continue;
    o.detach_clean = true;
    nsl_loss(*c, x, y, o, logits).backward();
    EXPECT_FALSE(testing::all_close(a->parameters()[0].grad(), c->parameters()[0].grad(), 1e-9, 1e-12)) << kind;
  }
}

TEST(Nsl, Validates) {
  auto bad = [](auto edit, const char* piece) {
    NslOptions o;
    edit(o);
    expect_error([&] { validate(o); }, {piece});
  };
  bad([](auto& o) { o.multiplier = -1; }, "multiplier must be >= 0");
  bad([](auto& o) { o.adv_step_size = 0; }, "step size must be > 0");
  bad([](auto& o) { o.adv_grad_norm = "l1"; }, "unknown gradient norm 'l1'");
  bad([](auto& o) { o.neighbor_loss = "js"; }, "unknown neighbour loss 'js'");
  NslOptions defaults;
  EXPECT_EQ(defaults.multiplier, 0.2);  // the NSL workshop's values
  EXPECT_EQ(defaults.adv_step_size, 0.05);
}

TEST(Nsl, RegularisedModelIsMoreRobustThanThePlainOne) {
  const std::uint64_t seed = test_seed();
  const double eps = 0.1;
  const Baseline base = plain_baseline(seed, eps);
  const data::Split& data = base.data;
  const nn::ModelConfig& c = base.config;
  const double plain_robust = base.robust;
  for (const std::string kind : {"supervised", "kl"}) {
    NslOptions o;
    o.multiplier = 1.0;  // the workshop's 0.2 with step 0.05 is gentle; this test wants a clear effect
    o.adv_step_size = eps;
    o.neighbor_loss = kind;
    nn::ModulePtr m = train_model(c, data, 3, seed, nsl_step_loss(o));
    const double clean = clean_accuracy(*m, data.test), adv = pgd_accuracy(*m, data.test, eps);
    std::printf("  [seed %llu] nsl %-10s clean %.3f  PGD %.3f (plain %.3f)\n", (unsigned long long)seed, kind.c_str(),
                clean, adv, plain_robust);
    EXPECT_GT(clean, 0.5) << kind;
    EXPECT_GT(adv, plain_robust + 0.1) << kind;
  }
}

}  // namespace
}  // namespace advgrad::training
