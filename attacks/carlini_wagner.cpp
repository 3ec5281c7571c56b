#include "advgrad/attacks/carlini_wagner.h"

#include <cmath>
#include <limits>

#include "advgrad/attacks/per_example.h"
#include "advgrad/core/autograd/engine.h"
#include "advgrad/core/grad_mode.h"

namespace advgrad::attacks {
namespace {

constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kAdamEps = 1e-8;  // Adam (Kingma & Ba 2015) defaults
constexpr double kNoUpper = 1e10;                                // "no successful c yet"

// Adam on w, elementwise; each example's entries see only their own gradient.
struct Adam {
  Tensor m, v;
  int t = 0;
  void step(Tensor& w, const Tensor& g, double lr) {
    ++t;
    m = m.defined() ? m * kBeta1 + g * (1 - kBeta1) : g * (1 - kBeta1);
    v = v.defined() ? v * kBeta2 + square(g) * (1 - kBeta2) : square(g) * (1 - kBeta2);
    const double c1 = 1 - std::pow(kBeta1, t), c2 = 1 - std::pow(kBeta2, t);
    w = sub(w, div(m * (lr / c1), sqrt(v * (1 / c2)) + kAdamEps));
  }
};

}  // namespace

AttackResult carlini_wagner(nn::Module& model, const Tensor& x_in, const Tensor& y, const CarliniWagnerOptions& cw) {
  AttackOptions o;
  o.lo = cw.lo, o.hi = cw.hi, o.steps = cw.steps;
  check_attack_inputs(x_in, y, o, "carlini_wagner");
  ADVGRAD_CHECK(cw.search_steps >= 1, "carlini_wagner: search steps must be >= 1, got ", cw.search_steps);
  ADVGRAD_CHECK(std::isfinite(cw.initial_c) && cw.initial_c > 0, "carlini_wagner: initial c must be > 0, got ",
                cw.initial_c);
  ADVGRAD_CHECK(std::isfinite(cw.kappa) && cw.kappa >= 0, "carlini_wagner: kappa must be >= 0, got ", cw.kappa);
  ADVGRAD_CHECK(std::isfinite(cw.learning_rate) && cw.learning_rate > 0,
                "carlini_wagner: learning rate must be > 0, got ", cw.learning_rate);
  EvalModeGuard eval_mode(model);
  const Tensor x = x_in.detach().contiguous();
  const std::int64_t n = x.size(0);
  const double scale = cw.hi - cw.lo;
  const auto to_box = [&](const Tensor& w) { return (tanh(w) + 1.0) * (0.5 * scale) + cw.lo; };
  Tensor w0;
  {
    NoGradGuard no_grad;
    // atanh(u) = log((1 + u) / (1 - u)) / 2, with u pulled off +-1 so that w0 is finite.
    const Tensor u = clamp((x - cw.lo) * (2 / scale) - 1.0, -1 + 1e-6, 1 - 1e-6);
    w0 = log(div(u + 1.0, 1.0 - u)) * 0.5;
  }
  const TensorOptions per_row{x.dtype(), x.device()};
  std::vector<double> c(static_cast<std::size_t>(n), cw.initial_c), lower(c.size(), 0), upper(c.size(), kNoUpper);
  Tensor best_l2 = full({n}, std::numeric_limits<double>::infinity(), per_row), best_adv = x.clone();
  for (int search = 0; search < cw.search_steps; ++search) {
    const Tensor c_t = from_vector(c, {n}).to(x.dtype()).to(x.device());
    Tensor w = w0.clone(), found = zeros({n}, per_row);
    Adam adam;
    double previous = std::numeric_limits<double>::infinity();
    const int check_every = std::max(cw.steps / 10, 1);
    for (int it = 0; it < cw.steps; ++it) {
      Tensor g, logits, x_adv, l2sq, total;
      {
        EnableGradGuard grad_on;
        const Tensor wr = w.detach().requires_grad_(true);
        x_adv = to_box(wr);
        logits = model(x_adv);
        l2sq = sum(square(sub(x_adv, x)), non_batch_dims(x));
        // f6: the label's lead over the best wrong class, floored at -kappa.
        const Tensor lead = neg(attack_loss(logits, y, AttackLoss::Margin));
        const Tensor f6 = clamp(lead, -cw.kappa, std::nullopt);
        total = sum(add(l2sq, mul(c_t, f6)));
        g = autograd::grad({total}, {wr})[0];
      }
      NoGradGuard no_grad;
      // The iterate just evaluated: successful (lead < -kappa) and smaller than the best so far?
      const Tensor lead = neg(attack_loss(logits.detach(), y, AttackLoss::Margin));
      const Tensor success = lt(lead, scalar_tensor(-cw.kappa, lead.options())).to(x.dtype());
      const Tensor l2 = sqrt(l2sq.detach());
      const Tensor better = mul(success, lt(l2, best_l2).to(x.dtype()));
      best_l2 = where(better, l2, best_l2);
      best_adv = where(per_example(better, x), x_adv.detach(), best_adv);
      found = maximum(found, success);
      adam.step(w, g, cw.learning_rate);
      if (cw.abort_early && (it + 1) % check_every == 0) {
        const double now = total.item();
        if (now > previous * 0.9999) break;
        previous = now;
      }
    }
    // The binary search over c, per example.
    const std::vector<double> succeeded = found.to_double_vector();
    for (std::size_t i = 0; i < c.size(); ++i) {
      if (succeeded[i] != 0) {
        upper[i] = std::min(upper[i], c[i]);
        c[i] = 0.5 * (lower[i] + upper[i]);
      } else {
        lower[i] = std::max(lower[i], c[i]);
        c[i] = upper[i] < kNoUpper ? 0.5 * (lower[i] + upper[i]) : c[i] * 10;
      }
    }
  }
  NoGradGuard no_grad;
  AttackResult out;
  out.x_adv = clamp(best_adv, cw.lo, cw.hi).detach();
  const Tensor logits = model(out.x_adv);
  out.success = ne(argmax(logits, 1), y).to(DType::Float32);
  out.loss = attack_loss(logits, y, AttackLoss::Margin).to(DType::Float32);
  out.eligible = ones({n}, TensorOptions{DType::Float32, x.device()});
  return out;
}

}  // namespace advgrad::attacks
