#include "advgrad/kernels/reference/softmax.h"

#include <cmath>
#include <limits>

#include "advgrad/kernels/reduce_ops.h"

namespace advgrad::kernels::reference {

template <typename T>
void softmax(bool log, const RowLoop& loop, T* out, const T* x) {
  using Acc = typename acc_type<T>::type;
  const std::int64_t rows = loop.rows.numel(), n = loop.n;
  const std::int64_t so = loop.dim_strides[0], sx = loop.dim_strides[1];
  for (std::int64_t r = 0; r < rows; ++r) {
    T* o = out + strided_offset(loop.rows, 0, r);
    const T* xr = x + strided_offset(loop.rows, 1, r);
    T m = -std::numeric_limits<T>::infinity();
    for (std::int64_t i = 0; i < n; ++i) m = std::max(m, xr[i * sx]);
    Acc sum = 0;
    for (std::int64_t i = 0; i < n; ++i) sum += std::exp(static_cast<Acc>(xr[i * sx] - m));
    for (std::int64_t i = 0; i < n; ++i) {
      const Acc shifted = static_cast<Acc>(xr[i * sx] - m);
      o[i * so] = static_cast<T>(log ? shifted - std::log(sum) : std::exp(shifted) / sum);
    }
  }
}

template <typename T>
void softmax_backward(bool log, const RowLoop& loop, T* grad_x, const T* grad_y, const T* y) {
  using Acc = typename acc_type<T>::type;
  const std::int64_t rows = loop.rows.numel(), n = loop.n;
  const std::int64_t s0 = loop.dim_strides[0], s1 = loop.dim_strides[1], s2 = loop.dim_strides[2];
  for (std::int64_t r = 0; r < rows; ++r) {
    T* gx = grad_x + strided_offset(loop.rows, 0, r);
    const T* g = grad_y + strided_offset(loop.rows, 1, r);
    const T* yr = y + strided_offset(loop.rows, 2, r);
    Acc dot = 0;  // softmax: sum g y; log_softmax: sum g
    for (std::int64_t i = 0; i < n; ++i) dot += log ? Acc(g[i * s1]) : Acc(g[i * s1]) * Acc(yr[i * s2]);
    for (std::int64_t i = 0; i < n; ++i) {
      const Acc gi = g[i * s1], yi = yr[i * s2];
      gx[i * s0] = static_cast<T>(log ? gi - std::exp(yi) * dot : yi * (gi - dot));
    }
  }
}

template <typename T>
void cross_entropy_backward(const RowLoop& loop, const CrossEntropyParams& p, T* grad_logits, const T* log_probs,
                            const T* grad_loss, const std::int64_t* labels) {
  const std::int64_t rows = loop.rows.numel(), n = loop.n;
  const std::int64_t s0 = loop.dim_strides[0], s1 = loop.dim_strides[1];
  const double on_label = 1.0 - p.smoothing, uniform = p.smoothing / static_cast<double>(n);
  for (std::int64_t r = 0; r < rows; ++r) {
    T* gx = grad_logits + strided_offset(loop.rows, 0, r);
    const T* lp = log_probs + strided_offset(loop.rows, 1, r);
    const double g = p.scale * static_cast<double>(grad_loss[strided_offset(loop.rows, 2, r)]);
    const std::int64_t label = labels[strided_offset(loop.rows, 3, r)];
    for (std::int64_t c = 0; c < n; ++c) {
      const double target = (c == label ? on_label : 0.0) + uniform;
      gx[c * s0] = static_cast<T>(g * (std::exp(static_cast<double>(lp[c * s1])) - target));
    }
  }
}

#define ADVGRAD_INSTANTIATE(T)                                                                                  \
  template void softmax<T>(bool, const RowLoop&, T*, const T*);                                                \
  template void softmax_backward<T>(bool, const RowLoop&, T*, const T*, const T*);                             \
  template void cross_entropy_backward<T>(const RowLoop&, const CrossEntropyParams&, T*, const T*, const T*,   \
                                          const std::int64_t*);
ADVGRAD_INSTANTIATE(float)
ADVGRAD_INSTANTIATE(double)
#undef ADVGRAD_INSTANTIATE

}  // namespace advgrad::kernels::reference
