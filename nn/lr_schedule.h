#pragma once
// Learning-rate schedules as pure functions of progress, so a resumed run
// recomputes exactly the same rate (no state to save beyond the step count).
// `step` counts whatever the caller steps on (epochs or iterations) and
// `total` is the planned number of steps.
//
//   constant    lr
//   step        lr * gamma^floor(step / step_size)
//   multistep   lr * gamma^(number of milestones <= step)
//   cosine      lr_min + (lr - lr_min) (1 + cos(pi step / total)) / 2
//   one-cycle   linear 0 -> lr over the first `warmup_fraction` of total, then
//               linear lr -> 0 (the cyclic schedule of "fast" adversarial training,
//               Wong, Rice & Kolter 2020)
//   warmup      any of the above, multiplied by min(1, (step + 1) / warmup_steps)
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace advgrad::nn {

struct LrScheduleConfig {
  std::string kind = "constant";  // constant, step, multistep, cosine, one-cycle
  double lr = 0.01;
  double gamma = 0.1;
  std::int64_t step_size = 1;
  std::vector<std::int64_t> milestones;
  double lr_min = 0;
  double warmup_fraction = 0.4;  // one-cycle peak position
  std::int64_t warmup_steps = 0;  // linear warm-up on top of any kind
};

class LrSchedule {
 public:
  LrSchedule(LrScheduleConfig config, std::int64_t total_steps);
  double at(std::int64_t step) const;
  const LrScheduleConfig& config() const { return config_; }

 private:
  LrScheduleConfig config_;
  std::int64_t total_;
};

const std::vector<std::string>& lr_schedule_names();

}  // namespace advgrad::nn
