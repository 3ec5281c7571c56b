// The fused in-place updates (sgd_update_, adam_update_, attack_step_) against
// their unfused formulas written here with ordinary tensor ops in float64, on
// random odd-sized inputs; float32 fused results against the same formulas
// within float rounding; version bumps; and the argument errors.
#include <cmath>
#include <string>

#include "expect_error.h"
#include "testing.h"

namespace advgrad {
namespace {

using testing::all_close;
using testing::expect_error;
using testing::random_tensor;

// float32 rounding of a chain of a few ops, relative to the float64 value.
constexpr double kFloatRtol = 2e-6, kFloatAtol = 1e-7;
constexpr double kDoubleRtol = 1e-12, kDoubleAtol = 1e-14;

Tensor f32(const Tensor& t) { return t.to(DType::Float32); }
Tensor f64(const Tensor& t) { return t.to(DType::Float64); }

// ---------------------------------------------------------------- SGD

struct SgdState {
  Tensor p, b;
};

// The textbook step (nn/optimizer.h), with tensor ops: b undefined = first step.
SgdState sgd_formula(const SgdState& s, const Tensor& grad, const SgdOptions& o, bool first_step) {
  Tensor g = grad + s.p * o.weight_decay;
  Tensor b;
  if (o.momentum != 0) {
    b = first_step ? g : s.b * o.momentum + g * (1 - o.dampening);
    g = o.nesterov ? g + b * o.momentum : b;
  }
  return {s.p - g * o.lr, b};
}

// Three steps (the first one a first step) of sgd_update_ in `dtype` against
// sgd_formula in float64.
void check_sgd(const SgdOptions& o, DType dtype, const Shape& shape) {
  const double rtol = dtype == DType::Float32 ? kFloatRtol : kDoubleRtol;
  const double atol = dtype == DType::Float32 ? kFloatAtol : kDoubleAtol;
  Tensor p0 = random_tensor(shape, 1, DType::Float64, -2, 2);
  Tensor p = p0.to(dtype);
  Tensor b = o.momentum != 0 ? zeros(shape, {.dtype = dtype}) : Tensor();
  SgdState want{p0, Tensor()};
  for (int step = 0; step < 3; ++step) {
    SCOPED_TRACE("step " + std::to_string(step + 1));
    // The formula runs on the rounded state, so float errors do not compound.
    Tensor g = random_tensor(shape, 10 + step, DType::Float64, -1, 1).to(dtype);
    const bool first_step = step == 0;
    want = sgd_formula({f64(p), b.defined() ? f64(b) : Tensor()}, f64(g), o, first_step);
    sgd_update_(p, g, b, o, first_step);
    EXPECT_EQ(p.dtype(), dtype);
    EXPECT_TRUE(all_close(f64(p), want.p, rtol, atol)) << "parameter";
    if (o.momentum != 0) {
      EXPECT_TRUE(all_close(f64(b), want.b, rtol, atol)) << "momentum buffer";
    }
  }
}

TEST(FusedSgd, PlainMomentumNesterovDampeningWeightDecay) {
  const SgdOptions cases[] = {
      {.lr = 0.1},
      {.lr = 0.1, .weight_decay = 0.03},
      {.lr = 0.05, .momentum = 0.9},
      {.lr = 0.05, .momentum = 0.9, .dampening = 0.3, .weight_decay = 0.01},
      {.lr = 0.05, .momentum = 0.8, .weight_decay = 0.02, .nesterov = true},
  };
  for (const auto& o : cases)
    for (DType dtype : {DType::Float64, DType::Float32}) {
      SCOPED_TRACE("momentum " + std::to_string(o.momentum) + " dampening " + std::to_string(o.dampening) +
                   (o.nesterov ? " nesterov" : "") + " " + std::string(dtype_name(dtype)));
      check_sgd(o, dtype, {7, 13});
      check_sgd(o, dtype, {1});
    }
}

TEST(FusedSgd, FirstStepSetsTheBufferToTheGradientWhateverItHeld) {
  Tensor p = random_tensor({5, 3}, 2);
  Tensor g = random_tensor({5, 3}, 3);
  Tensor b = full({5, 3}, 123.0, {.dtype = DType::Float64});  // garbage: must be ignored
  Tensor want_p = p - g * 0.1;
  sgd_update_(p, g, b, {.lr = 0.1, .momentum = 0.9, .dampening = 0.5}, true);
  EXPECT_TRUE(all_close(b, g, 0, 0));
  EXPECT_TRUE(all_close(p, want_p, kDoubleRtol, kDoubleAtol));
}

// ---------------------------------------------------------------- Adam

struct AdamState {
  Tensor p, m, v;
};

AdamState adam_formula(const AdamState& s, const Tensor& grad, const AdamOptions& o, std::int64_t step) {
  Tensor p = s.p, g = grad;
  if (o.decoupled) p = p * (1 - o.lr * o.weight_decay);
  else g = g + p * o.weight_decay;
  Tensor m = s.m * o.beta1 + g * (1 - o.beta1);
  Tensor v = s.v * o.beta2 + g * g * (1 - o.beta2);
  const double t = static_cast<double>(step);
  Tensor m_hat = m / (1 - std::pow(o.beta1, t)), v_hat = v / (1 - std::pow(o.beta2, t));
  return {p - m_hat * o.lr / (sqrt(v_hat) + o.eps), m, v};
}

TEST(FusedAdam, AdamAndAdamWAtSteps1To5) {
  const Shape shape{9, 11};
  for (bool decoupled : {false, true})
    for (DType dtype : {DType::Float64, DType::Float32}) {
      SCOPED_TRACE(std::string(decoupled ? "adamw " : "adam ") + std::string(dtype_name(dtype)));
      const double rtol = dtype == DType::Float32 ? 1e-5 : kDoubleRtol;
      const double atol = dtype == DType::Float32 ? 1e-6 : kDoubleAtol;
      Tensor p = random_tensor(shape, 4, DType::Float64, -2, 2).to(dtype);
      Tensor m = zeros(shape, {.dtype = dtype}), v = zeros(shape, {.dtype = dtype});
      for (std::int64_t t = 1; t <= 5; ++t) {
        SCOPED_TRACE("step " + std::to_string(t));
        const AdamOptions o{
            .lr = 0.01, .beta1 = 0.9, .beta2 = 0.99, .eps = 1e-8, .weight_decay = 0.05, .decoupled = decoupled};
        Tensor g = random_tensor(shape, 20 + t, DType::Float64, -1, 1).to(dtype);
        const AdamState want = adam_formula({f64(p), f64(m), f64(v)}, f64(g), o, t);
        adam_update_(p, g, m, v, o, t);
        if (t != 1 && t != 5) continue;
        EXPECT_TRUE(all_close(f64(m), want.m, rtol, atol)) << "exp_avg";
        EXPECT_TRUE(all_close(f64(v), want.v, rtol, atol)) << "exp_avg_sq";
        EXPECT_TRUE(all_close(f64(p), want.p, rtol, atol)) << "parameter";
      }
    }
}

TEST(FusedAdam, NoWeightDecayLeavesTheGradientAlone) {
  Tensor p0 = random_tensor({17}, 5), g = random_tensor({17}, 6);
  Tensor p = p0.clone(), m = zeros_like(p), v = zeros_like(p);
  const AdamOptions o{.lr = 0.001};
  const AdamState want = adam_formula({p.clone(), m.clone(), v.clone()}, g, o, 1);
  adam_update_(p, g, m, v, o, 1);
  EXPECT_TRUE(all_close(p, want.p, kDoubleRtol, kDoubleAtol));
  // Bias-corrected step 1: m_hat = g, v_hat = g^2, so p moves by lr g / (|g| + eps) ~ lr sign(g).
  EXPECT_TRUE(all_close(p0 - p, sign(g) * 0.001, 0, 1e-8));
}

// ---------------------------------------------------------------- attack step

Dims row_dims(const Tensor& t) {
  Dims d;
  for (std::int64_t i = 1; i < t.dim(); ++i) d.push_back(i);
  return d;
}

// normalize_gradient + step + project + clip of attacks/attack.cpp, in tensor ops.
Tensor attack_formula(const Tensor& adv, const Tensor& g, const Tensor& x, const AttackStepOptions& o) {
  const double tiny = 1e-12;
  const Dims dims = row_dims(g);
  Tensor d;
  switch (o.normalizer) {
    case Normalizer::Sign: d = sign(g); break;
    case Normalizer::Max: d = g / (amax(abs(g), dims, true) + tiny); break;
    case Normalizer::L2: d = g / (sqrt(sum(g * g, dims, true)) + tiny); break;
  }
  Tensor a = adv + d * o.step_size;
  if (o.norm == Norm::Linf) {
    a = clamp(a, x - o.eps, x + o.eps);
  } else {
    Tensor delta = a - x;
    Tensor n = sqrt(sum(delta * delta, dims, true));
    a = x + delta * minimum(ones_like(n), full_like(n, o.eps) / (n + tiny));
  }
  return clamp(a, o.lo, o.hi);
}

// A batch where every case an attack meets shows up: x in [0.1, 0.9] except
// row 1 near the top of the range with a positive gradient and row 2 near the
// bottom with a negative one (both clipped by [lo, hi]); row 0 starts at x,
// the others inside the ball; the last row (x in [0.4, 0.6], never clipped)
// starts on the ball's boundary in the gradient's direction (eps sign(g) for
// L-inf, eps g / ||g|| for L2), so every step leaves the ball.
struct AttackBatch {
  Tensor x, adv, g;
};

AttackBatch attack_batch(const Shape& shape, double eps, Norm norm) {
  const std::int64_t n = shape[0];
  Tensor x = random_tensor(shape, 7, DType::Float64, 0.1, 0.9);
  Tensor g = random_tensor(shape, 8, DType::Float64, -1, 1);
  Tensor dir = random_tensor(shape, 9, DType::Float64, -1, 1);
  {
    NoGradGuard no_grad;
    x.slice(0, 1, 2).copy_(x.slice(0, 1, 2) * 0.01 + 0.985);
    g.slice(0, 1, 2).copy_(abs(g.slice(0, 1, 2)) + 0.1);
    x.slice(0, 2, 3).copy_(x.slice(0, 2, 3) * 0.01);
    g.slice(0, 2, 3).copy_(-abs(g.slice(0, 2, 3)) - 0.1);
    x.slice(0, n - 1, n).copy_(x.slice(0, n - 1, n) * 0.25 + 0.375);
    if (norm == Norm::Linf) dir.slice(0, n - 1, n).copy_(sign(g.slice(0, n - 1, n)) * 2.0);
    else dir.slice(0, n - 1, n).copy_(g.slice(0, n - 1, n));
  }
  // A start inside the ball: an L-inf box of radius eps/2, or an L2 radius of
  // eps/2 (eps on the last row), clipped to [0, 1].
  Tensor delta;
  if (norm == Norm::Linf) {
    delta = dir * (eps / 2);
  } else {
    Tensor radius = full({n}, eps / 2, x.options());
    radius.slice(0, n - 1, n).fill_(eps);
    Shape per_row(shape.size(), 1);
    per_row[0] = n;
    delta = dir / sqrt(sum(dir * dir, row_dims(dir), true)) * radius.reshape(per_row);
  }
  Tensor adv = clamp(x + delta, 0.0, 1.0);
  {
    NoGradGuard no_grad;
    adv.slice(0, 0, 1).copy_(x.slice(0, 0, 1));
  }
  return {x, adv, g};
}

const char* normalizer_name(Normalizer s) {
  return s == Normalizer::Sign ? "sign" : s == Normalizer::Max ? "max" : "l2";
}

TEST(FusedAttackStep, EveryNormalizerAndBallAgainstTheFormula) {
  for (const Shape& shape : {Shape{5, 3, 7}, Shape{4, 301}})
    for (Norm norm : {Norm::Linf, Norm::L2})
      for (Normalizer normalizer : {Normalizer::Sign, Normalizer::Max, Normalizer::L2})
        for (DType dtype : {DType::Float64, DType::Float32}) {
          SCOPED_TRACE(shape_str(shape) + (norm == Norm::Linf ? " linf " : " l2 ") + normalizer_name(normalizer) +
                       " " + std::string(dtype_name(dtype)));
          const double eps = norm == Norm::Linf ? 0.05 : 0.5;
          // A step that, along the gradient, takes an L2 start at eps/2 out of the ball.
          const double step = norm == Norm::Linf ? 0.03 : 0.3;
          AttackBatch b = attack_batch(shape, eps, norm);
          const AttackStepOptions o{.normalizer = normalizer, .norm = norm, .step_size = step, .eps = eps};
          Tensor adv = b.adv.to(dtype);
          Tensor g = b.g.to(dtype), x = b.x.to(dtype);
          const Tensor want = attack_formula(f64(adv), f64(g), f64(x), o);
          attack_step_(adv, g, x, o);
          EXPECT_TRUE(all_close(f64(adv), want, dtype == DType::Float32 ? 1e-6 : kDoubleRtol,
                                dtype == DType::Float32 ? 1e-6 : kDoubleAtol));
          // The cases the batch is built for happen.
          Tensor moved = f64(adv) - f64(x);
          Tensor dist = norm == Norm::Linf ? amax(abs(moved), row_dims(moved)) : norm_per_sample(moved, 2);
          EXPECT_NEAR(dist.to_double_vector().back(), eps, 1e-6) << "the last row ends on the ball's boundary";
          EXPECT_EQ(amax(adv.slice(0, 1, 2)).item(), 1.0) << "row 1 is clipped at hi";
          EXPECT_EQ(amin(adv.slice(0, 2, 3)).item(), 0.0) << "row 2 is clipped at lo";
          EXPECT_LE(amax(dist).item(), eps + 1e-6);
        }
}

TEST(FusedAttackStep, AStepInsideTheBallIsNotProjected) {
  // L2, a short step from x: ||step d|| = 0.1 < eps, so a = x + 0.1 g / ||g||.
  Tensor x = random_tensor({3, 2, 5}, 11, DType::Float64, 0.3, 0.7);
  Tensor g = random_tensor({3, 2, 5}, 12);
  Tensor adv = x.clone();
  attack_step_(adv, g, x, {.normalizer = Normalizer::L2, .norm = Norm::L2, .step_size = 0.1, .eps = 0.5});
  Tensor want = x + g / (norm_per_sample(g, 2).reshape({3, 1, 1}) + 1e-12) * 0.1;
  EXPECT_TRUE(all_close(adv, want, kDoubleRtol, kDoubleAtol));
  for (double n : norm_per_sample(adv - x, 2).to_double_vector()) EXPECT_NEAR(n, 0.1, 1e-12);
}

TEST(FusedAttackStep, AZeroGradientRowDoesNotMove) {
  // What early stopping relies on: a frozen example's gradient is zeroed.
  for (Normalizer normalizer : {Normalizer::Sign, Normalizer::Max, Normalizer::L2}) {
    SCOPED_TRACE(normalizer_name(normalizer));
    AttackBatch b = attack_batch({4, 9}, 0.05, Norm::Linf);
    Tensor g = b.g.clone();
    {
      NoGradGuard no_grad;
      g.slice(0, 3, 4).zero_();
    }
    Tensor adv = b.adv.clone();
    attack_step_(adv, g, b.x, {.normalizer = normalizer, .step_size = 0.03, .eps = 0.05});
    EXPECT_TRUE(all_close(adv.slice(0, 3, 4), b.adv.slice(0, 3, 4), 0, 0));
  }
}

TEST(FusedAttackStep, ReadOnlyOperandsMayBeNonContiguous) {
  AttackBatch b = attack_batch({6, 5}, 0.1, Norm::Linf);
  const AttackStepOptions o{.normalizer = Normalizer::Max, .step_size = 0.04, .eps = 0.1};
  Tensor adv = b.adv.clone();
  const Tensor want = attack_formula(adv, b.g, b.x, o);
  attack_step_(adv, testing::non_contiguous(b.g), testing::non_contiguous(b.x), o);
  EXPECT_TRUE(all_close(adv, want, kDoubleRtol, kDoubleAtol));
}

// ---------------------------------------------------------------- versions and errors

TEST(FusedOps, BumpTheVersionOfWhatTheyWrite) {
  // A graph that saved x notices that the update changed it.
  Tensor x = random_tensor({4, 3}, 13).requires_grad_(true);
  Tensor y = mul(x, x);
  {
    NoGradGuard no_grad;
    Tensor none;
    sgd_update_(x, random_tensor({4, 3}, 14), none, {.lr = 0.1}, false);
  }
  expect_error([&] { (void)autograd::grad({sum(y)}, {x}); }, {"modified in place"});

  Tensor adv = random_tensor({2, 3}, 15, DType::Float64, 0.2, 0.8).requires_grad_(true);
  Tensor z = mul(adv, adv);
  {
    NoGradGuard no_grad;
    attack_step_(adv, random_tensor({2, 3}, 16), adv.detach().clone(), {.step_size = 0.01, .eps = 0.1});
  }
  expect_error([&] { (void)autograd::grad({sum(z)}, {adv}); }, {"modified in place"});
}

TEST(FusedOps, ArgumentErrorsAreClear) {
  Tensor p = random_tensor({3, 4}, 17), g = random_tensor({3, 4}, 18), none;
  const SgdOptions sgd{.lr = 0.1};
  expect_error([&] { sgd_update_(p, f32(g), none, sgd, false); }, {"sgd_update_", "gradient", "float32", "float64"});
  expect_error([&] { sgd_update_(p, random_tensor({4, 3}, 19), none, sgd, false); },
               {"sgd_update_", "gradient", "[4, 3]", "[3, 4]"});
  expect_error([&] { sgd_update_(p, Tensor(), none, sgd, false); }, {"sgd_update_", "gradient", "undefined"});
  Tensor ip = zeros({3, 4}, {.dtype = DType::Int64}), ig = zeros({3, 4}, {.dtype = DType::Int64});
  expect_error([&] { sgd_update_(ip, ig, none, sgd, false); }, {"sgd_update_", "floating"});
  expect_error([&] { sgd_update_(p, g, none, {.lr = 0.1, .momentum = 0.9}, false); },
               {"sgd_update_", "momentum buffer", "undefined"});
  Tensor t = random_tensor({4, 3}, 20).t();
  expect_error([&] { sgd_update_(t, g, none, sgd, false); }, {"sgd_update_", "parameter", "contiguous"});
  Tensor b = p;  // the buffer is the parameter itself
  expect_error([&] { sgd_update_(p, g, b, {.lr = 0.1, .momentum = 0.9}, false); }, {"sgd_update_", "share memory"});
  Tensor leaf = random_tensor({3, 4}, 21).requires_grad_(true);
  expect_error([&] { sgd_update_(leaf, g, none, sgd, false); }, {"sgd_update_", "requires grad", "NoGradGuard"});

  Tensor m = zeros_like(p), v = zeros_like(p);
  expect_error([&] { adam_update_(p, g, m, v, {}, 0); }, {"adam_update_", "step", ">= 1"});
  Tensor short_v = zeros({3, 3}, {.dtype = DType::Float64});
  expect_error([&] { adam_update_(p, g, m, short_v, {}, 1); }, {"adam_update_", "exp_avg_sq", "[3, 3]"});
  expect_error([&] { adam_update_(p, g, m, m, {}, 1); }, {"adam_update_", "share memory"});

  Tensor x = random_tensor({3, 4}, 22, DType::Float64, 0, 1);
  Tensor adv = x.clone();
  const AttackStepOptions step{.step_size = 0.01, .eps = 0.1};
  Tensor same = x;
  expect_error([&] { attack_step_(same, g, x, step); }, {"attack_step_", "share memory", "clone"});
  expect_error([&] { attack_step_(adv, g, f32(x), step); }, {"attack_step_", "clean input", "float32"});
  Tensor scalar = scalar_tensor(0.5, {.dtype = DType::Float64});
  expect_error([&] { attack_step_(scalar, scalar.clone(), scalar.clone(), step); }, {"attack_step_", "batch"});
  expect_error([&] { attack_step_(adv, g, x, {.step_size = 0.01, .eps = 0.1, .lo = 1, .hi = 0}); },
               {"attack_step_", "lo <= hi"});
  expect_error([&] { attack_step_(adv, g, x, {.step_size = 0.01, .eps = -1}); }, {"attack_step_", "eps"});
}

}  // namespace
}  // namespace advgrad
