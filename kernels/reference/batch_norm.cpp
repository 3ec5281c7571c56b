#include "advgrad/kernels/reference/batch_norm.h"

#include <cstdint>

#include "advgrad/kernels/reduce_ops.h"

namespace advgrad::kernels::reference {
namespace {
// Offset of x[n, c, s] in the contiguous [N, C, S] layout.
std::int64_t at(const BatchNormShape& sh, std::int64_t n, std::int64_t c, std::int64_t s) {
  return (n * sh.c + c) * sh.s + s;
}
}  // namespace

template <typename T>
void batch_norm_stats(const BatchNormShape& sh, const T* x, T* mean, T* var) {
  using Acc = typename acc_type<T>::type;
  const Acc m = static_cast<Acc>(sh.per_channel());
  for (std::int64_t c = 0; c < sh.c; ++c) {
    Acc sum = 0;
    for (std::int64_t n = 0; n < sh.n; ++n)
      for (std::int64_t s = 0; s < sh.s; ++s) sum += x[at(sh, n, c, s)];
    const Acc mu = sum / m;
    Acc sq = 0;
    for (std::int64_t n = 0; n < sh.n; ++n)
      for (std::int64_t s = 0; s < sh.s; ++s) {
        const Acc d = static_cast<Acc>(x[at(sh, n, c, s)]) - mu;
        sq += d * d;
      }
    mean[c] = static_cast<T>(mu);
    var[c] = static_cast<T>(sq / m);
  }
}

template <typename T>
void batch_norm_forward(const BatchNormShape& sh, const T* x, const T* mean, const T* invstd, const T* weight,
                        const T* bias, T* y) {
  for (std::int64_t n = 0; n < sh.n; ++n)
    for (std::int64_t c = 0; c < sh.c; ++c) {
      const T w = weight ? weight[c] : T(1), b = bias ? bias[c] : T(0);
      for (std::int64_t s = 0; s < sh.s; ++s) {
        const std::int64_t i = at(sh, n, c, s);
        y[i] = (x[i] - mean[c]) * invstd[c] * w + b;
      }
    }
}

template <typename T>
void batch_norm_backward(const BatchNormShape& sh, bool batch_stats, const T* grad_y, const T* x, const T* mean,
                         const T* invstd, const T* weight, T* grad_x, T* grad_weight, T* grad_bias) {
  using Acc = typename acc_type<T>::type;
  const Acc m = static_cast<Acc>(sh.per_channel());
  for (std::int64_t c = 0; c < sh.c; ++c) {
    Acc sum_g = 0, sum_gxhat = 0;
    for (std::int64_t n = 0; n < sh.n; ++n)
      for (std::int64_t s = 0; s < sh.s; ++s) {
        const std::int64_t i = at(sh, n, c, s);
        const Acc xhat = (static_cast<Acc>(x[i]) - mean[c]) * invstd[c];
        sum_g += grad_y[i];
        sum_gxhat += grad_y[i] * xhat;
      }
    if (grad_bias) grad_bias[c] = static_cast<T>(sum_g);
    if (grad_weight) grad_weight[c] = static_cast<T>(sum_gxhat);
    if (!grad_x) continue;
    const Acc k = (weight ? Acc(weight[c]) : Acc(1)) * invstd[c];
    for (std::int64_t n = 0; n < sh.n; ++n)
      for (std::int64_t s = 0; s < sh.s; ++s) {
        const std::int64_t i = at(sh, n, c, s);
        const Acc xhat = (static_cast<Acc>(x[i]) - mean[c]) * invstd[c];
        const Acc g = grad_y[i];
        grad_x[i] = static_cast<T>(batch_stats ? k * (g - sum_g / m - xhat * sum_gxhat / m) : k * g);
      }
  }
}

#define ADVGRAD_INSTANTIATE(T)                                                                              \
  template void batch_norm_stats<T>(const BatchNormShape&, const T*, T*, T*);                              \
  template void batch_norm_forward<T>(const BatchNormShape&, const T*, const T*, const T*, const T*,       \
                                      const T*, T*);                                                       \
  template void batch_norm_backward<T>(const BatchNormShape&, bool, const T*, const T*, const T*, const T*, \
                                       const T*, T*, T*, T*);
ADVGRAD_INSTANTIATE(float)
ADVGRAD_INSTANTIATE(double)
#undef ADVGRAD_INSTANTIATE

}  // namespace advgrad::kernels::reference
