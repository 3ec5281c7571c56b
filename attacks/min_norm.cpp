#include "advgrad/attacks/min_norm.h"

#include <algorithm>

#include "advgrad/attacks/per_example.h"
#include "advgrad/core/grad_mode.h"

namespace advgrad::attacks {

std::vector<double> perturbation_norms(const Tensor& x, const Tensor& x_adv, Norm norm) {
  ADVGRAD_CHECK(x.defined() && x_adv.defined() && x.shape() == x_adv.shape() && x.dim() >= 2,
                "perturbation_norms: x and x_adv must be batches [N, ...] of the same shape");
  NoGradGuard no_grad;
  const Tensor delta = sub(x_adv.detach(), x.detach()).to(DType::Float64);
  const Tensor n = norm == Norm::L2 ? norm_per_sample(delta, 2) : amax(abs(delta), non_batch_dims(delta));
  return n.to_double_vector();
}

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  const std::size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  const double upper = values[mid];
  if (values.size() % 2 == 1) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid));
  return 0.5 * (lower + upper);
}

MinNormSummary summarize_min_norm(const std::vector<double>& clean_correct, const std::vector<double>& success,
                                  const std::vector<double>& norms, double eps) {
  ADVGRAD_CHECK(clean_correct.size() == success.size() && success.size() == norms.size(),
                "summarize_min_norm: ", clean_correct.size(), " clean flags, ", success.size(), " successes and ",
                norms.size(), " norms: one of each per example");
  ADVGRAD_CHECK(eps >= 0, "summarize_min_norm: eps must be >= 0, got ", eps);
  MinNormSummary s;
  s.count = static_cast<std::int64_t>(norms.size());
  s.eps = eps;
  std::vector<double> found;
  std::int64_t robust = 0;
  for (std::size_t i = 0; i < norms.size(); ++i) {
    if (clean_correct[i] == 0) continue;
    ++s.attacked;
    if (success[i] != 0) found.push_back(norms[i]);
    if (success[i] == 0 || norms[i] > eps) ++robust;
  }
  s.successes = static_cast<std::int64_t>(found.size());
  s.success_rate = s.attacked > 0 ? static_cast<double>(s.successes) / static_cast<double>(s.attacked) : 0;
  s.median_norm = median(found);
  double total = 0;
  for (const double v : found) total += v;
  s.mean_norm = found.empty() ? 0 : total / static_cast<double>(found.size());
  s.accuracy_at_eps = s.count > 0 ? static_cast<double>(robust) / static_cast<double>(s.count) : 0;
  return s;
}

AttackResult restrict_to_ball(nn::Module& model, const Tensor& x, const Tensor& y, AttackResult r, double eps,
                              Norm norm, double lo, double hi) {
  const std::vector<double> n = perturbation_norms(x, r.x_adv, norm);
  std::vector<double> inside(n.size());
  // 1e-6 relative: float32 rounding of a point the attack put exactly on the sphere.
  for (std::size_t i = 0; i < n.size(); ++i) inside[i] = n[i] <= eps * (1 + 1e-6) + 1e-7;
  EvalModeGuard eval_mode(model);
  NoGradGuard no_grad;
  const Tensor keep = from_vector(inside, {x.size(0)}).to(DType::Float32).to(x.device());
  r.x_adv = where(per_example(keep.to(x.dtype()), x), r.x_adv, x).detach();
  // Exactly inside the ball and the range (the tolerance above, float rounding).
  r.x_adv = project(r.x_adv, x, eps, norm, lo, hi).detach();
  const Tensor logits = model(r.x_adv);
  r.success = ne(argmax(logits, 1), y).to(DType::Float32);
  r.loss = attack_loss(logits, y, AttackLoss::Margin).to(DType::Float32);
  return r;
}

}  // namespace advgrad::attacks
