#include "advgrad/training/overfitting_guard.h"

#include <cmath>
#include <iomanip>
#include <ostream>

#include "advgrad/eval/robust_eval.h"

namespace advgrad::training {
namespace {

nn::StateDict deep_copy(const nn::StateDict& state) {
  nn::StateDict out;
  for (const auto& [name, t] : state) out[name] = t.clone();
  return out;
}

}  // namespace

void validate(const OverfittingGuardOptions& o) {
  ADVGRAD_CHECK(std::isfinite(o.eps) && o.eps > 0, "overfitting guard: eps must be > 0, got ", o.eps);
  ADVGRAD_CHECK(o.steps >= 1, "overfitting guard: steps must be >= 1, got ", o.steps);
  ADVGRAD_CHECK(std::isfinite(o.step_size) && o.step_size >= 0, "overfitting guard: step size must be >= 0, got ",
                o.step_size);
  ADVGRAD_CHECK(o.collapse_drop > 0 && o.collapse_drop <= 1, "overfitting guard: collapse drop must be in (0, 1], got ",
                o.collapse_drop);
}

attacks::AttackOptions guard_attack_options(const OverfittingGuardOptions& o) {
  validate(o);
  attacks::AttackOptions a;
  a.eps = o.eps;
  a.steps = o.steps;
  a.step_size = o.step_size > 0 ? o.step_size : 2.5 * o.eps / o.steps;
  a.random_start = true;
  return a;
}

Trainer::EpochHook overfitting_guard(nn::Module& model, const data::Dataset& holdout,
                                     const OverfittingGuardOptions& options, std::shared_ptr<OverfittingGuardLog> log) {
  ADVGRAD_CHECK(log != nullptr, "overfitting guard: no log");
  ADVGRAD_CHECK(holdout.size() > 0, "overfitting guard: the held-out slice is empty");
  const attacks::AttackOptions attack = guard_attack_options(options);
  auto best_state = std::make_shared<nn::StateDict>();
  auto best_accuracy = std::make_shared<double>(-1.0);
  nn::Module* m = &model;
  auto data = std::make_shared<const data::Dataset>(holdout);  // a copy: callers may pass a temporary slice
  return [m, data, attack, options, log, best_state, best_accuracy](const EpochStats& stats, std::ostream& out) {
    // The same seed every epoch: the numbers differ only because the weights do.
    const double acc = eval::robust_accuracy(*m, *data, attack, options.seed).robust_accuracy;
    log->pgd_accuracy.push_back(acc);
    // >=: among equally robust epochs keep the later (more trained) weights.
    if (acc >= *best_accuracy) {
      *best_accuracy = acc;
      *best_state = deep_copy(m->state_dict());
      log->best_epoch = stats.epoch;
    }
    const bool collapsed = *best_accuracy - acc > options.collapse_drop;
    out << "guard: epoch " << stats.epoch << " PGD-" << attack.steps << " accuracy " << std::fixed
        << std::setprecision(2) << 100 * acc << "% on " << data->size() << " held-out (best " << 100 * *best_accuracy
        << "% at epoch " << log->best_epoch << ")" << std::defaultfloat << std::setprecision(6)
        << (collapsed ? "  CATASTROPHIC OVERFITTING" : "") << "\n";
    if (!collapsed) return true;
    if (!log->collapsed) {
      log->collapsed = true;
      log->collapse_epoch = stats.epoch;
    }
    if (options.rollback) {
      m->load_state_dict(*best_state);
      log->rolled_back = true;
      out << "guard: rolled back to the weights of epoch " << log->best_epoch << "; stopping\n";
      return false;
    }
    if (options.stop) {
      out << "guard: stopping\n";
      return false;
    }
    return true;
  };
}

}  // namespace advgrad::training
