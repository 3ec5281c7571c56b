// Each optimizer's steps against its textbook formula, written out here in
// plain doubles on a two-element parameter with fixed gradients.
#include <cmath>

#include "advgrad/nn/lr_schedule.h"
#include "advgrad/nn/optimizer.h"
#include "testing.h"

namespace advgrad::nn {
namespace {

constexpr double kP0[2] = {1.0, -2.0};
constexpr double kG[2][2] = {{0.5, 0.25}, {-0.3, 0.8}};  // gradients of step 1 and step 2

Tensor make_param() {
  return from_vector(std::vector<double>{kP0[0], kP0[1]}, {2}, {.dtype = DType::Float64}).requires_grad_(true);
}

// Runs two steps of `opt` on p with the fixed gradients; returns p.
std::vector<double> run_two_steps(Optimizer& opt, Tensor& p) {
  for (int s = 0; s < 2; ++s) {
    p.set_grad(from_vector(std::vector<double>{kG[s][0], kG[s][1]}, {2}, {.dtype = DType::Float64}));
    opt.step();
  }
  return p.to_double_vector();
}

void expect_near(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << "element " << i;
}

TEST(Optimizer, SgdWithMomentumNesterovAndWeightDecay) {
  for (bool nesterov : {false, true}) {
    Tensor p = make_param();
    const double lr = 0.1, mu = 0.9, wd = 0.01;
    Sgd opt({p}, {.lr = lr, .momentum = mu, .weight_decay = wd, .nesterov = nesterov});
    std::vector<double> want(2);
    for (int i = 0; i < 2; ++i) {
      double x = kP0[i], b = 0;
      for (int s = 0; s < 2; ++s) {
        const double g = kG[s][i] + wd * x;
        b = s == 0 ? g : mu * b + g;
        x -= lr * (nesterov ? g + mu * b : b);
      }
      want[i] = x;
    }
    expect_near(run_two_steps(opt, p), want);
  }
}

TEST(Optimizer, AdamAndAdamW) {
  for (bool decoupled : {false, true}) {
    Tensor p = make_param();
    const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.1;
    Adam opt({p}, {.lr = lr, .beta1 = b1, .beta2 = b2, .eps = eps, .weight_decay = wd, .decoupled = decoupled});
    std::vector<double> want(2);
    for (int i = 0; i < 2; ++i) {
      double x = kP0[i], m = 0, v = 0;
      for (int t = 1; t <= 2; ++t) {
        double g = kG[t - 1][i];
        if (decoupled) x *= 1 - lr * wd;
        else g += wd * x;
        m = b1 * m + (1 - b1) * g;
        v = b2 * v + (1 - b2) * g * g;
        x -= lr * (m / (1 - std::pow(b1, t))) / (std::sqrt(v / (1 - std::pow(b2, t))) + eps);
      }
      want[i] = x;
    }
    expect_near(run_two_steps(opt, p), want);
  }
}

TEST(Optimizer, RmspropAdagradAdadelta) {
  {
    Tensor p = make_param();
    Rmsprop opt({p}, {.lr = 0.01, .alpha = 0.99, .eps = 1e-8});
    std::vector<double> want(2);
    for (int i = 0; i < 2; ++i) {
      double x = kP0[i], v = 0;
      for (int s = 0; s < 2; ++s) {
        v = 0.99 * v + 0.01 * kG[s][i] * kG[s][i];
        x -= 0.01 * kG[s][i] / (std::sqrt(v) + 1e-8);
      }
      want[i] = x;
    }
    expect_near(run_two_steps(opt, p), want);
  }
  {
    Tensor p = make_param();
    Adagrad opt({p}, {.lr = 0.1, .eps = 1e-10});
    std::vector<double> want(2);
    for (int i = 0; i < 2; ++i) {
      double x = kP0[i], s2 = 0;
      for (int s = 0; s < 2; ++s) {
        s2 += kG[s][i] * kG[s][i];
        x -= 0.1 * kG[s][i] / (std::sqrt(s2) + 1e-10);
      }
      want[i] = x;
    }
    expect_near(run_two_steps(opt, p), want);
  }
  {
    Tensor p = make_param();
    Adadelta opt({p}, {.lr = 1.0, .rho = 0.9, .eps = 1e-6});
    std::vector<double> want(2);
    for (int i = 0; i < 2; ++i) {
      double x = kP0[i], v = 0, u = 0;
      for (int s = 0; s < 2; ++s) {
        const double g = kG[s][i];
        v = 0.9 * v + 0.1 * g * g;
        const double d = std::sqrt(u + 1e-6) / std::sqrt(v + 1e-6) * g;
        u = 0.9 * u + 0.1 * d * d;
        x -= d;
      }
      want[i] = x;
    }
    expect_near(run_two_steps(opt, p), want);
  }
}

TEST(Optimizer, StateRoundTripContinuesIdentically) {
  for (const auto& name : optimizer_names()) {
    SCOPED_TRACE(name);
    Tensor p1 = make_param(), p2 = make_param();
    auto a = make_optimizer(name, {p1}, 0.05), b = make_optimizer(name, {p2}, 0.05);
    p1.set_grad(from_vector(std::vector<double>{0.5, 0.25}, {2}, {.dtype = DType::Float64}));
    a->step();
    {
      NoGradGuard no_grad;
      p2.copy_(p1);
    }
    b->load_state_dict(a->state_dict());
    for (Tensor* p : {&p1, &p2}) p->set_grad(from_vector(std::vector<double>{-0.3, 0.8}, {2}, {.dtype = DType::Float64}));
    a->step();
    b->step();
    EXPECT_EQ(p1.to_double_vector(), p2.to_double_vector());
  }
}

TEST(Optimizer, SkipsParametersWithoutGradAndRejectsBadConfig) {
  Tensor p = make_param();
  Sgd opt({p}, {.lr = 0.1});
  opt.step();  // no grad yet: nothing happens
  EXPECT_EQ(p.to_double_vector(), (std::vector<double>{1.0, -2.0}));
  EXPECT_THROW(Sgd({p}, {.lr = -1}), Error);
  EXPECT_THROW(make_optimizer("sgdd", {p}), Error);
  EXPECT_THROW(Sgd({zeros({2})}, {}), Error);  // not requiring grad
  OptimizerState bad{{"0.momentum", zeros({3}, {.dtype = DType::Float64})}};
  EXPECT_THROW(opt.load_state_dict(bad), Error);
}

TEST(Optimizer, ClipGradNorm) {
  Tensor p = make_param();
  p.set_grad(from_vector(std::vector<double>{3.0, 4.0}, {2}, {.dtype = DType::Float64}));
  EXPECT_DOUBLE_EQ(clip_grad_norm({p}, 1.0), 5.0);
  const auto g = p.grad().to_double_vector();
  EXPECT_NEAR(std::hypot(g[0], g[1]), 1.0, 1e-6);
}

TEST(LrSchedule, Shapes) {
  LrScheduleConfig c;
  c.lr = 1.0;
  c.kind = "step";
  c.step_size = 10;
  c.gamma = 0.5;
  EXPECT_DOUBLE_EQ(LrSchedule(c, 100).at(25), 0.25);
  c.kind = "multistep";
  c.milestones = {5, 8};
  EXPECT_DOUBLE_EQ(LrSchedule(c, 100).at(7), 0.5);
  c.kind = "cosine";
  EXPECT_NEAR(LrSchedule(c, 100).at(50), 0.5, 1e-12);
  EXPECT_NEAR(LrSchedule(c, 100).at(100), 0.0, 1e-12);
  c.kind = "one-cycle";
  c.warmup_fraction = 0.4;
  EXPECT_NEAR(LrSchedule(c, 100).at(20), 0.5, 1e-12);
  EXPECT_NEAR(LrSchedule(c, 100).at(40), 1.0, 1e-12);
  EXPECT_NEAR(LrSchedule(c, 100).at(70), 0.5, 1e-12);
  c.kind = "constant";
  c.warmup_steps = 4;
  EXPECT_DOUBLE_EQ(LrSchedule(c, 100).at(1), 0.5);
  c.kind = "bogus";
  EXPECT_THROW(LrSchedule(c, 100), Error);
}

}  // namespace
}  // namespace advgrad::nn
