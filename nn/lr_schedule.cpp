#include "advgrad/nn/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "advgrad/core/error.h"

namespace advgrad::nn {

const std::vector<std::string>& lr_schedule_names() {
  static const std::vector<std::string> names{"constant", "step", "multistep", "cosine", "one-cycle"};
  return names;
}

LrSchedule::LrSchedule(LrScheduleConfig config, std::int64_t total_steps) : config_(std::move(config)), total_(total_steps) {
  const auto& names = lr_schedule_names();
  ADVGRAD_CHECK(std::find(names.begin(), names.end(), config_.kind) != names.end(), "lr schedule: unknown kind '",
                config_.kind, "' (expected constant, step, multistep, cosine or one-cycle)");
  ADVGRAD_CHECK(config_.lr > 0 && std::isfinite(config_.lr), "lr schedule: lr must be > 0, got ", config_.lr);
  ADVGRAD_CHECK(total_ >= 1, "lr schedule: total steps must be >= 1, got ", total_);
  ADVGRAD_CHECK(config_.step_size >= 1, "lr schedule: step_size must be >= 1");
  ADVGRAD_CHECK(config_.warmup_fraction > 0 && config_.warmup_fraction < 1, "lr schedule: warmup_fraction must be in (0, 1)");
  ADVGRAD_CHECK(config_.warmup_steps >= 0, "lr schedule: warmup_steps must be >= 0");
}

double LrSchedule::at(std::int64_t step) const {
  const auto& c = config_;
  const double t = static_cast<double>(std::clamp<std::int64_t>(step, 0, total_));
  const double T = static_cast<double>(total_);
  double lr = c.lr;
  if (c.kind == "step") {
    lr = c.lr * std::pow(c.gamma, static_cast<double>(step / c.step_size));
  } else if (c.kind == "multistep") {
    const auto passed = std::count_if(c.milestones.begin(), c.milestones.end(), [&](std::int64_t m) { return m <= step; });
    lr = c.lr * std::pow(c.gamma, static_cast<double>(passed));
  } else if (c.kind == "cosine") {
    lr = c.lr_min + (c.lr - c.lr_min) * 0.5 * (1 + std::cos(std::numbers::pi * t / T));
  } else if (c.kind == "one-cycle") {
    const double peak = c.warmup_fraction * T;
    lr = t < peak ? c.lr * t / peak : c.lr * std::max(0.0, (T - t) / (T - peak));
  }
  if (c.warmup_steps > 0) lr *= std::min(1.0, static_cast<double>(step + 1) / static_cast<double>(c.warmup_steps));
  return lr;
}

}  // namespace advgrad::nn
