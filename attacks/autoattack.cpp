#include "advgrad/attacks/autoattack.h"

#include <chrono>

#include "advgrad/attacks/apgd.h"
#include "advgrad/attacks/fab.h"
#include "advgrad/attacks/per_example.h"
#include "advgrad/attacks/square.h"
#include "advgrad/core/grad_mode.h"

namespace advgrad::attacks {
namespace {

std::vector<std::int64_t> robust_rows(const std::vector<std::int64_t>& broken_by) {
  std::vector<std::int64_t> rows;
  for (std::size_t i = 0; i < broken_by.size(); ++i)
    if (broken_by[i] < 0) rows.push_back(static_cast<std::int64_t>(i));
  return rows;
}

}  // namespace

double AutoAttackResult::robust_accuracy() const {
  const std::int64_t n = broken_by.defined() ? broken_by.numel() : 0;
  return n > 0 && !stages.empty() ? static_cast<double>(stages.back().robust) / static_cast<double>(n) : 0.0;
}

AutoAttackResult autoattack(nn::Module& model, const Tensor& x_in, const Tensor& y, const AutoAttackOptions& ao,
                            Generator& gen, const AttackProgress& progress) {
  AttackOptions o;
  o.eps = ao.eps, o.lo = ao.lo, o.hi = ao.hi, o.steps = ao.apgd_steps, o.random_start = true;
  check_attack_inputs(x_in, y, o, "autoattack");
  EvalModeGuard eval_mode(model);
  const Tensor x = x_in.detach().contiguous();
  const std::int64_t n = x.size(0);
  std::vector<double> x_adv = x.to_double_vector();
  const std::int64_t size = x.numel() / std::max<std::int64_t>(n, 1);
  std::vector<std::int64_t> broken_by(static_cast<std::size_t>(n), -1);
  AutoAttackResult out;
  const auto clock = [] { return std::chrono::steady_clock::now(); };
  {
    const auto start = clock();
    NoGradGuard no_grad;
    const std::vector<std::int64_t> pred = argmax(model(x), 1).to_int_vector(), labels = y.to_int_vector();
    for (std::size_t i = 0; i < pred.size(); ++i)
      if (pred[i] != labels[i]) broken_by[i] = 0;
    out.stages.push_back({"clean", static_cast<std::int64_t>(robust_rows(broken_by).size()),
                          std::chrono::duration<double>(clock() - start).count()});
  }
  using Attack = std::function<AttackResult(const Tensor& xs, const Tensor& ys)>;
  const std::vector<std::pair<std::string, Attack>> attacks{
      {"apgd-ce", [&](const Tensor& xs, const Tensor& ys) { return apgd(model, xs, ys, o, gen); }},
      {"apgd-t",
       [&](const Tensor& xs, const Tensor& ys) {
         return apgd_targeted(model, xs, ys, o, gen, ao.target_classes);
       }},
      {"fab-t",
       [&](const Tensor& xs, const Tensor& ys) {
         FabOptions fo;  // AutoAttack's: one run per target from x, alpha_max 0.1, eta 1.05, beta 0.9
         fo.eps = ao.eps, fo.steps = ao.apgd_steps, fo.target_classes = ao.target_classes, fo.lo = ao.lo, fo.hi = ao.hi;
         return fab(model, xs, ys, fo, gen);
       }},
      {"square", [&](const Tensor& xs, const Tensor& ys) {
         return square_attack(model, xs, ys, {ao.eps, ao.square_queries, 0.8, ao.lo, ao.hi}, gen);
       }}};
  for (const auto& [name, attack] : attacks) {
    const auto start = clock();
    const std::vector<std::int64_t> rows = robust_rows(broken_by);
    if (progress) progress(name, static_cast<std::int64_t>(rows.size()));
    if (!rows.empty()) {
      const Tensor idx = from_vector(rows, {static_cast<std::int64_t>(rows.size())}).to(x.device());
      const AttackResult r = attack(index_select(x, 0, idx), index_select(y, 0, idx));
      const std::vector<double> success = r.success.to_double_vector(), adv = r.x_adv.to_double_vector();
      for (std::size_t k = 0; k < rows.size(); ++k) {
        if (success[k] == 0) continue;
        const std::size_t i = static_cast<std::size_t>(rows[k]);
        broken_by[i] = static_cast<std::int64_t>(out.stages.size());
        std::copy(adv.begin() + static_cast<std::ptrdiff_t>(k * static_cast<std::size_t>(size)),
                  adv.begin() + static_cast<std::ptrdiff_t>((k + 1) * static_cast<std::size_t>(size)),
                  x_adv.begin() + static_cast<std::ptrdiff_t>(i * static_cast<std::size_t>(size)));
      }
    }
    out.stages.push_back({name, static_cast<std::int64_t>(robust_rows(broken_by).size()),
                          std::chrono::duration<double>(clock() - start).count()});
  }
  out.broken_by = from_vector(broken_by, {n});
  out.result.x_adv = from_vector(x_adv, x.shape()).to(x.dtype()).to(x.device());
  // The copies went through double: put every point back inside the ball and the range exactly.
  out.result.x_adv = project(out.result.x_adv, x, ao.eps, Norm::Linf, ao.lo, ao.hi).detach();
  std::vector<double> success(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < success.size(); ++i) success[i] = broken_by[i] >= 0;
  out.result.success = from_vector(success, {n}).to(DType::Float32).to(x.device());
  out.result.eligible = ones({n}, TensorOptions{DType::Float32, x.device()});
  NoGradGuard no_grad;  // result.loss: the margin max_{j != y} z_j - z_y at the kept points
  out.result.loss = attack_loss(model(out.result.x_adv), y, AttackLoss::Margin).to(DType::Float32);
  return out;
}

}  // namespace advgrad::attacks
