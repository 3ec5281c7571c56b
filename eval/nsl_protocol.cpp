#include "advgrad/eval/nsl_protocol.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "advgrad/attacks/attack.h"
#include "advgrad/core/error.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/eval/robust_eval.h"

namespace advgrad::eval {
namespace {

// Number of correct predictions of `model` on x (any device: x is moved to the
// model's), in eval mode and without recording a graph. Checks that the model
// gives `classes` logits, so a model trained for another label set is an
// error rather than a silently wrong accuracy.
double correct(nn::Module& model, const Tensor& x, const Tensor& y, std::int64_t classes, const char* which) {
  attacks::EvalModeGuard eval_mode(model);
  NoGradGuard no_grad;
  const Device device = model.device();
  const Tensor logits = model(x.to(device));
  ADVGRAD_CHECK(logits.dim() == 2 && logits.size(1) == classes, "nsl_protocol: the ", which, " model gives ",
                logits.dim() == 2 ? logits.size(1) : -1, " logits per image, but the test set has ", classes,
                " classes");
  return sum(eq(argmax(logits, 1), y.to(device)).to(DType::Float64)).item();
}

}  // namespace

std::vector<NeighborAccuracy> neighbor_accuracy(nn::Module& source, const std::vector<nn::Module*>& models,
                                                const data::Dataset& test, double eps, std::int64_t batch_size,
                                                std::int64_t limit, double lo, double hi) {
  ADVGRAD_CHECK(std::isfinite(eps) && eps > 0, "nsl_protocol: eps (the neighbour step) must be > 0, got ", eps);
  ADVGRAD_CHECK(batch_size >= 1, "nsl_protocol: batch size must be >= 1, got ", batch_size);
  ADVGRAD_CHECK(limit >= 0, "nsl_protocol: limit must be >= 0, got ", limit);
  ADVGRAD_CHECK(test.size() > 0, "nsl_protocol: the test set '", test.name, "' is empty");
  for (const nn::Module* m : models) ADVGRAD_CHECK(m != nullptr, "nsl_protocol: a model is null");
  test.validate();
  // The tutorial's neighbour, NSL's neighbour of the base model
  // (training/nsl.h, "infinity" norm): x + eps sign(d CE / dx), clipped to
  // [lo, hi] -- one FGSM step.
  attacks::AttackOptions range;
  range.lo = lo;
  range.hi = hi;
  const std::int64_t n = limit > 0 ? std::min(limit, test.size()) : test.size();
  std::vector<double> clean(models.size(), 0), adv(models.size(), 0);
  for (std::int64_t s = 0; s < n; s += batch_size) {
    std::vector<std::int64_t> idx;
    for (std::int64_t i = s; i < std::min(n, s + batch_size); ++i) idx.push_back(i);
    const Tensor x = test.images_tensor(idx), y = test.labels_tensor(idx);
    const Device device = source.device();
    correct(source, x, y, test.classes, "neighbour-making");  // checks its logits before its gradient is used
    // Made once, with the source model in eval mode (attacks::pgd's contract);
    // every model is scored on this very tensor.
    const Tensor x_neighbor = attacks::fgsm(source, x.to(device), y.to(device), eps, range).x_adv;
    for (std::size_t m = 0; m < models.size(); ++m) {
      const char* which = models[m] == &source ? "base" : "evaluated";
      clean[m] += correct(*models[m], x, y, test.classes, which);
      adv[m] += correct(*models[m], x_neighbor, y, test.classes, which);
    }
  }
  std::vector<NeighborAccuracy> out;
  for (std::size_t m = 0; m < models.size(); ++m)
    out.push_back({clean[m] / static_cast<double>(n), adv[m] / static_cast<double>(n)});
  return out;
}

NslProtocolResult nsl_protocol(nn::Module& base, nn::Module& nsl, const data::Dataset& test,
                               const NslProtocolOptions& o) {
  ADVGRAD_CHECK(std::isfinite(o.eps) && o.eps > 0, "nsl_protocol: eps (the adversarial step size) must be > 0, got ",
                o.eps);
  ADVGRAD_CHECK(o.pgd_steps >= 1, "nsl_protocol: PGD steps must be >= 1, got ", o.pgd_steps);
  ADVGRAD_CHECK(o.attack_limit >= 0, "nsl_protocol: attack limit must be >= 0, got ", o.attack_limit);
  ADVGRAD_CHECK(o.lo < o.hi, "nsl_protocol: the valid range needs lo < hi, got [", o.lo, ", ", o.hi, "]");
  const auto start = std::chrono::steady_clock::now();
  NslProtocolResult r;
  r.eps = o.eps;
  r.pgd_steps = o.pgd_steps;
  r.base.name = "base";
  r.nsl.name = "nsl";
  // 1. The tutorial: both models on the base model's neighbours (also checks
  // the arguments and both models' outputs before the long attacks run).
  const auto transfer = neighbor_accuracy(base, {&base, &nsl}, test, o.eps, o.batch_size, o.limit, o.lo, o.hi);
  r.count = o.limit > 0 ? std::min(o.limit, test.size()) : test.size();
  r.attack_count = o.attack_limit > 0 ? std::min(o.attack_limit, test.size()) : r.count;
  r.base.clean = transfer[0].clean;
  r.base.neighbors = transfer[0].neighbors;
  r.nsl.clean = transfer[1].clean;
  r.nsl.neighbors = transfer[1].neighbors;
  // 2. White box: each model attacked with its own input gradient.
  attacks::AttackOptions fgsm;  // x + eps sign(g): one step of size eps, no random start
  fgsm.eps = fgsm.step_size = o.eps;
  fgsm.steps = 1;
  fgsm.lo = o.lo;
  fgsm.hi = o.hi;
  attacks::AttackOptions pgd = fgsm;
  pgd.steps = o.pgd_steps;
  pgd.step_size = 2.5 * o.eps / o.pgd_steps;  // Madry et al.'s rule: the path can cross the ball
  pgd.random_start = true;
  for (auto [model, row] : {std::pair<nn::Module*, NslProtocolRow*>{&base, &r.base}, {&nsl, &r.nsl}}) {
    // The same seed for both: the same random starts, and the same numbers on a rerun.
    row->fgsm = robust_accuracy(*model, test, fgsm, o.seed, o.batch_size, r.attack_count).robust_accuracy;
    row->pgd = robust_accuracy(*model, test, pgd, o.seed, o.batch_size, r.attack_count).robust_accuracy;
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace advgrad::eval
