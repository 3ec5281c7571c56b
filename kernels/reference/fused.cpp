#include "advgrad/kernels/reference/fused.h"

#include <algorithm>
#include <cmath>

namespace advgrad::kernels::reference {

// The operation order of each update is that of the unfused tensor-op chain
// it replaces (nn/optimizer.h, attacks/attack.h), constants rounded to T the
// way a scalar operand is, so a fused and an unfused float step agree to the
// last bit or two. The CUDA kernels (kernels/cuda/fused.cu) keep the same order.

template <typename T>
void sgd_update(const SgdParams& p, std::int64_t n, T* param, const T* grad, T* momentum) {
  const T lr = T(p.lr), mu = T(p.momentum), wd = T(p.weight_decay), keep = T(1 - p.dampening);
  for (std::int64_t i = 0; i < n; ++i) {
    T g = grad[i];
    if (p.weight_decay != 0) g = g + param[i] * wd;
    if (p.momentum != 0) {
      const T b = p.first_step ? g : momentum[i] * mu + g * keep;
      momentum[i] = b;
      g = p.nesterov ? g + b * mu : b;
    }
    param[i] = param[i] - g * lr;
  }
}

template <typename T>
void adam_update(const AdamParams& p, std::int64_t n, T* param, const T* grad, T* m, T* v) {
  const T b1 = T(p.beta1), b2 = T(p.beta2), eps = T(p.eps), wd = T(p.weight_decay);
  const T keep1 = T(1 - p.beta1), keep2 = T(1 - p.beta2);
  const T decay = T(1 - p.lr * p.weight_decay), step = T(p.lr / p.bias_correction1);
  const T c2 = T(p.bias_correction2);
  for (std::int64_t i = 0; i < n; ++i) {
    T g = grad[i];
    if (p.weight_decay != 0) {
      if (p.decoupled) param[i] = param[i] * decay;
      else g = g + param[i] * wd;
    }
    m[i] = m[i] * b1 + g * keep1;
    v[i] = v[i] * b2 + (g * g) * keep2;
    param[i] = param[i] - (m[i] / (std::sqrt(v[i] / c2) + eps)) * step;
  }
}

namespace {

// max that propagates NaN, like the Max reduction (kernels/reduce_ops.h).
double nan_max(double a, double b) { return (a > b || a != a) ? a : b; }

}  // namespace

// Norms accumulate in double (T's squares, summed in double, rounded back to
// T: what sum() does for float), so the per-row result does not depend on the
// summation order to within T's rounding.
template <typename T>
void attack_step(const AttackStepParams& p, T* x_adv, const T* grad, const T* x) {
  const T tiny = T(1e-12), step = T(p.step_size), eps = T(p.eps), lo = T(p.lo), hi = T(p.hi);
  for (std::int64_t r = 0; r < p.rows; ++r) {
    T* a = x_adv + r * p.row_size;
    const T* g = grad + r * p.row_size;
    const T* x0 = x + r * p.row_size;
    // The per-example divisor of the gradient (sign needs none).
    T denom = T(1);
    if (p.normalizer == Normalizer::Max) {
      double m = 0;
      for (std::int64_t i = 0; i < p.row_size; ++i) m = nan_max(m, double(std::fabs(g[i])));
      denom = T(m) + tiny;
    } else if (p.normalizer == Normalizer::L2) {
      double s = 0;
      for (std::int64_t i = 0; i < p.row_size; ++i) s += double(g[i] * g[i]);
      denom = std::sqrt(T(s)) + tiny;
    }
    for (std::int64_t i = 0; i < p.row_size; ++i) {
      const T d = p.normalizer == Normalizer::Sign ? T((g[i] > T(0)) - (g[i] < T(0))) : g[i] / denom;
      a[i] = a[i] + d * step;
    }
    // Project onto the eps-ball around x, then clip to [lo, hi] (which keeps
    // the point inside the ball: x itself is in range).
    if (p.norm == Norm::Linf) {
      for (std::int64_t i = 0; i < p.row_size; ++i) a[i] = std::clamp(a[i], T(x0[i] - eps), T(x0[i] + eps));
    } else {
      double s = 0;
      for (std::int64_t i = 0; i < p.row_size; ++i) {
        const T delta = a[i] - x0[i];
        s += double(delta * delta);
      }
      const T factor = std::min(T(1), eps / (std::sqrt(T(s)) + tiny));
      for (std::int64_t i = 0; i < p.row_size; ++i) a[i] = x0[i] + (a[i] - x0[i]) * factor;
    }
    for (std::int64_t i = 0; i < p.row_size; ++i) a[i] = std::clamp(a[i], lo, hi);
  }
}

#define ADVGRAD_INSTANTIATE(T)                                                                  \
  template void sgd_update<T>(const SgdParams&, std::int64_t, T*, const T*, T*);                \
  template void adam_update<T>(const AdamParams&, std::int64_t, T*, const T*, T*, T*);          \
  template void attack_step<T>(const AttackStepParams&, T*, const T*, const T*);
ADVGRAD_INSTANTIATE(float)
ADVGRAD_INSTANTIATE(double)
#undef ADVGRAD_INSTANTIATE

}  // namespace advgrad::kernels::reference
