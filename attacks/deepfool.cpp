#include "advgrad/attacks/deepfool.h"

#include <cmath>
#include <limits>

#include "advgrad/attacks/per_example.h"
#include "advgrad/core/autograd/engine.h"
#include "advgrad/core/grad_mode.h"

namespace advgrad::attacks {
namespace {

// ||v||_q per example: q = 2, or q = 1 (the dual of L-inf).
Tensor dual_norm(const Tensor& v, Norm norm) {
  return norm == Norm::L2 ? norm_per_sample(v, 2) : sum(abs(v), non_batch_dims(v));
}

}  // namespace

AttackResult deepfool(nn::Module& model, const Tensor& x_in, const Tensor& y, const DeepFoolOptions& df) {
  AttackOptions o;
  o.lo = df.lo, o.hi = df.hi, o.steps = df.steps;
  check_attack_inputs(x_in, y, o, "deepfool");
  ADVGRAD_CHECK(std::isfinite(df.overshoot) && df.overshoot >= 0, "deepfool: overshoot must be >= 0, got ",
                df.overshoot);
  ADVGRAD_CHECK(df.candidates >= 2, "deepfool: candidates must be >= 2 (the label and one other class), got ",
                df.candidates);
  EvalModeGuard eval_mode(model);
  const Tensor x = x_in.detach().contiguous();
  // The candidate classes: the top ones of the clean logits.
  std::vector<Tensor> classes;
  {
    NoGradGuard no_grad;
    const Tensor clean = model(x);
    ADVGRAD_CHECK(clean.dim() == 2 && clean.size(1) >= 2, "deepfool: the model must return logits [N, C >= 2], got ",
                  shape_str(clean.shape()));
    const std::int64_t k = std::min<std::int64_t>(df.candidates, clean.size(1));
    for (std::int64_t rank = 0; rank < k; ++rank) classes.push_back(ranked_classes(clean, rank));
  }
  const double inf = std::numeric_limits<double>::infinity();
  Tensor r_total = zeros_like(x), x_adv = x.clone();
  for (int it = 0; it < df.steps; ++it) {
    EnableGradGuard grad_on;
    const Tensor xr = x_adv.detach().requires_grad_(true);
    const Tensor logits = model(xr);
    const Tensor active = eq(argmax(logits.detach(), 1), y).to(x.dtype());  // not fooled yet
    if (sum(active).item() == 0) break;
    const Tensor z_y = logit_of(logits, y);
    // Per example the closest linearised boundary: distance, f'_l and w'_l.
    Tensor best_dist, best_f, best_w;
    for (std::size_t j = 0; j < classes.size(); ++j) {
      const Tensor f = sub(logit_of(logits, classes[j]), z_y);
      const Tensor w = autograd::grad({sum(f)}, {xr}, {}, {.retain_graph = j + 1 < classes.size()})[0];
      NoGradGuard no_grad;
      const Tensor fd = f.detach();
      Tensor dist = div(abs(fd), dual_norm(w, df.norm) + 1e-12);
      dist = where(eq(classes[j], y), full_like(dist, inf), dist);  // the label is no boundary
      if (!best_dist.defined()) {
        best_dist = dist, best_f = fd, best_w = w;
        continue;
      }
      const Tensor closer = lt(dist, best_dist);
      best_dist = where(closer, dist, best_dist);
      best_f = where(closer, fd, best_f);
      best_w = where(per_example(closer.to(x.dtype()), w), w, best_w);
    }
    NoGradGuard no_grad;
    const Tensor size = abs(best_f) + 1e-4;
    const Tensor r = df.norm == Norm::L2
                         ? mul(best_w, per_example(div(size, square(norm_per_sample(best_w, 2)) + 1e-12), best_w))
                         : mul(sign(best_w), per_example(div(size, dual_norm(best_w, Norm::Linf) + 1e-12), best_w));
    r_total = add(r_total, mul(r, per_example(active, r)));
    x_adv = clamp(add(x, r_total * (1 + df.overshoot)), df.lo, df.hi);
  }
  NoGradGuard no_grad;
  AttackResult out;
  out.x_adv = x_adv.detach();
  const Tensor logits = model(out.x_adv);
  out.success = ne(argmax(logits, 1), y).to(DType::Float32);
  out.loss = attack_loss(logits, y, AttackLoss::Margin).to(DType::Float32);
  out.eligible = ones({x.size(0)}, TensorOptions{DType::Float32, x.device()});
  return out;
}

}  // namespace advgrad::attacks
