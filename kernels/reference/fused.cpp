#include "kernels/reference/fused.h"

#include <algorithm>
#include <cmath>

namespace advgrad::kernels::reference {

template <typename T>
void sgd_update(const SgdParams& p, std::int64_t n, T* param, const T* grad, T* momentum) {
  const T lr = T(p.lr), mu = T(p.momentum), wd = T(p.weight_decay), keep = T(1 - p.dampening);
  for (std::int64_t i = 0; i < n; ++i) {
    T g = grad[i] + wd * param[i];
    if (p.momentum != 0) {
      const T b = p.first_step ? g : mu * momentum[i] + keep * g;
      momentum[i] = b;
      g = p.nesterov ? g + mu * b : b;
    }
    param[i] -= lr * g;
  }
}

template <typename T>
void adam_update(const AdamParams& p, std::int64_t n, T* param, const T* grad, T* m, T* v) {
  const T b1 = T(p.beta1), b2 = T(p.beta2), eps = T(p.eps), wd = T(p.weight_decay);
  const T decay = T(1 - p.lr * p.weight_decay), step = T(p.lr / p.bias_correction1);
  const T c2 = T(p.bias_correction2);
  for (std::int64_t i = 0; i < n; ++i) {
    T g = grad[i];
    if (p.decoupled) param[i] *= decay;
    else g += wd * param[i];
    m[i] = b1 * m[i] + (T(1) - b1) * g;
    v[i] = b2 * v[i] + (T(1) - b2) * g * g;
    param[i] -= step * m[i] / (std::sqrt(v[i] / c2) + eps);
  }
}

template <typename T>
void attack_step(const AttackStepParams& p, T* x_adv, const T* grad, const T* x) {
  const T tiny = T(1e-12);
  for (std::int64_t r = 0; r < p.rows; ++r) {
    T* a = x_adv + r * p.row_size;
    const T* g = grad + r * p.row_size;
    const T* x0 = x + r * p.row_size;
    // The per-example scale of the gradient (sign needs none).
    T scale = T(1);
    if (p.normalizer == StepNormalizer::Max) {
      T m = T(0);
      for (std::int64_t i = 0; i < p.row_size; ++i) m = std::max(m, std::fabs(g[i]));
      scale = T(1) / (m + tiny);
    } else if (p.normalizer == StepNormalizer::L2) {
      T s = T(0);
      for (std::int64_t i = 0; i < p.row_size; ++i) s += g[i] * g[i];
      scale = T(1) / (std::sqrt(s) + tiny);
    }
    for (std::int64_t i = 0; i < p.row_size; ++i) {
      const T d = p.normalizer == StepNormalizer::Sign ? T((g[i] > T(0)) - (g[i] < T(0))) : g[i] * scale;
      a[i] += T(p.step_size) * d;
    }
    // Project onto the eps-ball around x, then clip to [lo, hi] (which keeps
    // the point inside the ball: x itself is in range).
    if (p.norm == BallNorm::Linf) {
      for (std::int64_t i = 0; i < p.row_size; ++i) a[i] = std::clamp(a[i], x0[i] - T(p.eps), x0[i] + T(p.eps));
    } else {
      T s = T(0);
      for (std::int64_t i = 0; i < p.row_size; ++i) s += (a[i] - x0[i]) * (a[i] - x0[i]);
      const T factor = std::min(T(1), T(p.eps) / (std::sqrt(s) + tiny));
      for (std::int64_t i = 0; i < p.row_size; ++i) a[i] = x0[i] + (a[i] - x0[i]) * factor;
    }
    for (std::int64_t i = 0; i < p.row_size; ++i) a[i] = std::clamp(a[i], T(p.lo), T(p.hi));
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
