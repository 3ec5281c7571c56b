#include "advgrad/training/nsl.h"

#include <cmath>

#include "advgrad/attacks/attack.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/training/option_names.h"

namespace advgrad::training {
namespace {

// N(x, x') of a distance kind, from the logits on x and on x'; mean over the batch.
Tensor distance_loss(const Tensor& clean_logits, const Tensor& neighbor_logits, const std::string& kind) {
  const double n = static_cast<double>(clean_logits.size(0));
  if (kind == "kl") {
    // KL(p || q) = sum p (log p - log q), log-probabilities from log_softmax (stable).
    Tensor log_p = log_softmax(clean_logits, 1), log_q = log_softmax(neighbor_logits, 1);
    return sum(mul(exp(log_p), sub(log_p, log_q))) / n;
  }
  Tensor diff = sub(softmax(clean_logits, 1), softmax(neighbor_logits, 1));
  return sum(kind == "l1" ? abs(diff) : square(diff)) / n;
}

}  // namespace

const std::vector<std::string>& nsl_norm_names() {
  static const std::vector<std::string> names{"infinity", "l2"};
  return names;
}

const std::vector<std::string>& nsl_neighbor_loss_names() {
  static const std::vector<std::string> names{"supervised", "l1", "l2", "kl"};
  return names;
}

void validate(const NslOptions& o) {
  ADVGRAD_CHECK(std::isfinite(o.multiplier) && o.multiplier >= 0, "NSL: multiplier must be >= 0, got ", o.multiplier);
  ADVGRAD_CHECK(std::isfinite(o.adv_step_size) && o.adv_step_size > 0, "NSL: adversarial step size must be > 0, got ",
                o.adv_step_size);
  ADVGRAD_CHECK(is_one_of(o.adv_grad_norm, nsl_norm_names()), "NSL: unknown gradient norm '", o.adv_grad_norm,
                "' (expected one of ", joined_names(nsl_norm_names()), ")");
  ADVGRAD_CHECK(is_one_of(o.neighbor_loss, nsl_neighbor_loss_names()), "NSL: unknown neighbour loss '", o.neighbor_loss,
                "' (expected one of ", joined_names(nsl_neighbor_loss_names()), ")");
  ADVGRAD_CHECK(o.lo < o.hi, "NSL: the valid range needs lo < hi, got [", o.lo, ", ", o.hi, "]");
}

Tensor nsl_neighbor(nn::Module& model, const Tensor& x, const Tensor& y, const NslOptions& o) {
  validate(o);
  // One step of size adv_step_size along the normalised gradient of the
  // supervised loss = a one-step attack with eps = step (no random start).
  attacks::AttackOptions a;
  a.steps = 1;
  a.eps = a.step_size = o.adv_step_size;
  a.random_start = false;
  a.lo = o.lo;
  a.hi = o.hi;
  if (o.adv_grad_norm == "l2") {
    a.norm = attacks::Norm::L2;
    a.normalizer = attacks::Normalizer::L2;
  } else {
    a.norm = attacks::Norm::Linf;
    a.normalizer = attacks::Normalizer::Sign;
  }
  Generator unused(0);  // no random start: the attack draws nothing
  return attacks::pgd(model, x, y, a, unused).x_adv.detach();
}

Tensor nsl_loss(nn::Module& model, const Tensor& x, const Tensor& y, const NslOptions& o, Tensor& clean_logits) {
  const Tensor neighbor = nsl_neighbor(model, x, y, o);
  clean_logits = model(x);
  Tensor supervised = cross_entropy(clean_logits, y);
  Tensor neighbor_logits = model(neighbor);
  Tensor neighbor_term = o.neighbor_loss == "supervised"
                             ? cross_entropy(neighbor_logits, y)
                             : distance_loss(o.detach_clean ? clean_logits.detach() : clean_logits,
                                             neighbor_logits, o.neighbor_loss);
  return add(supervised, neighbor_term * o.multiplier);
}

Trainer::StepLoss nsl_step_loss(const NslOptions& options) {
  validate(options);
  return [options](nn::Module& model, const data::Batch& batch, Tensor& logits) {
    return nsl_loss(model, batch.images, batch.labels, options, logits);
  };
}

}  // namespace advgrad::training
