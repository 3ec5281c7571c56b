#include "advgrad/nn/init.h"

#include <cmath>

#include "advgrad/core/grad_mode.h"

namespace advgrad::nn::init {

Fans compute_fans(const Tensor& w) {
  ADVGRAD_CHECK(w.dim() >= 2, "init: fan in/out need a weight with at least 2 dims, got shape ", shape_str(w.shape()));
  double receptive = 1;
  for (std::int64_t d = 2; d < w.dim(); ++d) receptive *= static_cast<double>(w.size(d));
  return {static_cast<double>(w.size(1)) * receptive, static_cast<double>(w.size(0)) * receptive};
}

void uniform_(Tensor& t, double lo, double hi, Generator& gen) {
  NoGradGuard no_grad;
  t.copy_(uniform(t.shape(), lo, hi, gen, TensorOptions{t.dtype(), t.device()}));
}

void normal_(Tensor& t, double mean, double stddev, Generator& gen) {
  NoGradGuard no_grad;
  t.copy_(normal(t.shape(), mean, stddev, gen, TensorOptions{t.dtype(), t.device()}));
}

void zeros_(Tensor& t) {
  NoGradGuard no_grad;
  t.zero_();
}

void ones_(Tensor& t) {
  NoGradGuard no_grad;
  t.fill_(1.0);
}

namespace {
double kaiming_std(const Tensor& t, double a, FanMode mode) {
  const Fans f = compute_fans(t);
  const double fan = mode == FanMode::FanIn ? f.fan_in : f.fan_out;
  return std::sqrt(2.0 / (1.0 + a * a)) / std::sqrt(fan);
}
}  // namespace

void kaiming_uniform_(Tensor& t, Generator& gen, double a, FanMode mode) {
  const double bound = std::sqrt(3.0) * kaiming_std(t, a, mode);
  uniform_(t, -bound, bound, gen);
}

void kaiming_normal_(Tensor& t, Generator& gen, double a, FanMode mode) { normal_(t, 0.0, kaiming_std(t, a, mode), gen); }

void xavier_uniform_(Tensor& t, Generator& gen, double gain) {
  const Fans f = compute_fans(t);
  const double bound = std::sqrt(3.0) * gain * std::sqrt(2.0 / (f.fan_in + f.fan_out));
  uniform_(t, -bound, bound, gen);
}

void xavier_normal_(Tensor& t, Generator& gen, double gain) {
  const Fans f = compute_fans(t);
  normal_(t, 0.0, gain * std::sqrt(2.0 / (f.fan_in + f.fan_out)), gen);
}

}  // namespace advgrad::nn::init
