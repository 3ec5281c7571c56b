// PGD (Madry et al. 2018) and everything built on its loop: BIM, FGSM (one
// step of eps), MI-FGSM (momentum), targeted variants, early stop, restarts.
//
//   x_0     = x + uniform start in the eps-ball (or x)
//   x_{t+1} = Proj_{B(x, eps) ∩ [lo, hi]} ( x_t + alpha * normalise(dL/dx_t) )
//   keep, per example, the worst case over restarts
#include <cmath>

#include "advgrad/attacks/attack.h"
#include "advgrad/attacks/per_example.h"
#include "advgrad/core/autograd/engine.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad::attacks {
namespace {

// The objective an attack step ascends, per example.
Tensor objective(const Tensor& logits, const Tensor& y, const Tensor& targets, const AttackOptions& o) {
  if (!o.targeted) return attack_loss(logits, y, o.loss);
  // Toward the target: the loss of the target class goes down.
  Tensor toward = neg(attack_loss(logits, targets, o.loss));
  if (o.objective == TargetedObjective::MinimiseTarget) return toward;
  return add(attack_loss(logits, y, o.loss), toward);  // loss(y) - loss(target)
}

Tensor success_of(const Tensor& pred, const Tensor& y, const Tensor& targets, bool targeted) {
  return (targeted ? eq(pred, targets) : ne(pred, y)).to(DType::Float32);
}

// The options of the fused iteration attack_step_ (core/ops/ops.h): the same
// normalise -> step -> project -> clip as normalize_gradient and project.
AttackStepOptions step_options(const AttackOptions& o) {
  return {.normalizer = o.normalizer, .norm = o.norm, .step_size = o.step_size, .eps = o.eps, .lo = o.lo, .hi = o.hi};
}

// The targets (targeted attacks) and which examples can be attacked at all
// (not those whose fixed target is their own class); the model must give
// logits [N, classes].
AttackResult targets_and_eligibility(nn::Module& model, const Tensor& x, const Tensor& y, const AttackOptions& o,
                                     Generator& gen) {
  std::int64_t classes;
  {
    NoGradGuard no_grad;
    Tensor logits = model(x.slice(0, 0, 1));
    ADVGRAD_CHECK(logits.dim() == 2, "attack: the model must return logits [N, classes], got ", shape_str(logits.shape()));
    classes = logits.size(1);
  }
  AttackResult r;
  r.targets = o.targeted ? choose_targets(model, x, y, o, gen, classes) : Tensor();
  r.eligible = o.targeted ? ne(r.targets, y).to(DType::Float32)
                          : ones({x.size(0)}, TensorOptions{DType::Float32, x.device()});
  return r;
}

// What one restart carries from step to step.
struct Iterate {
  Tensor adv;       // x_t
  Tensor velocity;  // MI-FGSM: g_t = mu g_{t-1} + g / ||g||_1
  Tensor active;    // early stop: 1 until the example succeeds, then 0 (frozen)
};

// One ascent step: x_{t+1} = Proj(x_t + alpha * normalise(dL/dx_t)).
void ascent_step(nn::Module& model, Iterate& it, const Tensor& x, const Tensor& y, const Tensor& targets,
                 const AttackOptions& o) {
  Tensor xr = it.adv.detach().requires_grad_(true);
  Tensor logits = model(xr);
  // Only dL/dx: parameters are not inputs of this grad() call, so their
  // gradients (and the weight-gradient kernels) are never computed.
  Tensor g = autograd::grad({sum(objective(logits, y, targets, o))}, {xr})[0];
  NoGradGuard no_grad;
  if (o.early_stop) {
    Tensor done = success_of(argmax(logits.detach(), 1), y, targets, o.targeted).to(x.dtype());
    it.active = mul(it.active, 1.0 - done);
  }
  if (o.momentum > 0) {
    Tensor scaled = div(g, per_example(mean(abs(g), non_batch_dims(g)), g) + 1e-12);
    it.velocity = it.velocity.defined() ? it.velocity * o.momentum + scaled : scaled;
    g = it.velocity;
  }
  // A frozen example gets a zero gradient, which every normaliser maps to a
  // zero step (sign(0) = 0, 0 / (0 + 1e-12) = 0): it is only re-projected.
  if (o.early_stop) g = mul(g, per_example(it.active, g));
  attack_step_(it.adv, g, x, step_options(o));  // normalise, step, project, clip: one pass
}

// Keeps, per example, the more adversarial of this restart's x_T and the best
// so far: success first, then the larger objective.
void keep_worst_case(nn::Module& model, const Tensor& adv, const Tensor& y, const AttackOptions& o, bool first,
                     AttackResult& best) {
  NoGradGuard no_grad;
  Tensor logits = model(adv);
  Tensor obj = objective(logits, y, best.targets, o).to(DType::Float32);
  Tensor succ = success_of(argmax(logits, 1), y, best.targets, o.targeted);
  if (first) {
    best.x_adv = adv.detach();
    best.loss = obj;
    best.success = succ;
    return;
  }
  Tensor better = add(gt(succ, best.success), mul(eq(succ, best.success), gt(obj, best.loss)));
  best.x_adv = where(per_example(better.to(adv.dtype()), adv), adv, best.x_adv).detach();
  best.loss = where(better, obj, best.loss);
  best.success = where(better, succ, best.success);
}

}  // namespace

AttackResult pgd(nn::Module& model, const Tensor& x_in, const Tensor& y, const AttackOptions& o, Generator& gen) {
  check_attack_inputs(x_in, y, o, "attack");
  EvalModeGuard eval_mode(model);  // no BatchNorm statistics updated, no dropout
  const Tensor x = x_in.detach().contiguous();
  AttackResult best = targets_and_eligibility(model, x, y, o, gen);
  for (int restart = 0; restart < o.restarts; ++restart) {
    Iterate it{random_start(x, o, gen), Tensor(), ones({x.size(0)}, x.options())};
    for (int step = 0; step < o.steps; ++step) ascent_step(model, it, x, y, best.targets, o);
    keep_worst_case(model, it.adv, y, o, restart == 0, best);
  }
  best.success = mul(best.success, best.eligible);
  return best;
}

AttackResult fgsm(nn::Module& model, const Tensor& x, const Tensor& y, double eps, const AttackOptions& base) {
  AttackOptions o = base;
  o.eps = eps;
  o.step_size = eps > 0 ? eps : 1e-12;
  o.steps = 1;
  o.random_start = false;
  o.restarts = 1;
  o.norm = Norm::Linf;
  o.normalizer = Normalizer::Sign;
  o.momentum = 0;
  Generator unused(0);
  return pgd(model, x, y, o, unused);
}

}  // namespace advgrad::attacks
