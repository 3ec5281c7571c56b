#include "advgrad/kernels/cpu/softmax.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "advgrad/kernels/cpu/elementwise.h"
#include "advgrad/kernels/cpu/parallel.h"
#include "advgrad/kernels/cpu/vec_exp.h"
#include "advgrad/kernels/reduce_ops.h"

namespace advgrad::kernels::cpu {
namespace {

constexpr std::int64_t kTile = 64;  // rows processed together on the tiled path

template <int N>
using Offsets = std::array<std::int64_t, N>;

// Runs row(offsets) for every row, or tile(offsets, width) for runs of up to
// kTile rows that sit next to each other in memory (unit stride across rows
// for every operand) when `tiles_ok`. Work is split across threads in whole
// rows / tiles, each writing only its own outputs.
template <int N, typename RowFn, typename TileFn>
void for_rows(const RowLoop& in, bool tiles_ok, RowFn&& row, TileFn&& tile) {
  const StridedLoop rows = coalesce(in.rows, N);
  const int last = rows.ndim - 1;
  const std::int64_t inner = rows.sizes[last];
  bool unit = tiles_ok && inner > 1;
  for (int k = 0; k < N; ++k) unit &= rows.strides[k][last] == 1;
  std::int64_t outer = 1;
  for (int d = 0; d < last; ++d) outer *= rows.sizes[d];
  const std::int64_t width = unit ? std::min(kTile, inner) : 1;
  const std::int64_t per_outer = (inner + width - 1) / width;
  const std::int64_t work = width * std::max<std::int64_t>(in.n, 1);
  parallel_for(0, outer * per_outer, std::max<std::int64_t>(1, 16384 / work), [&](std::int64_t u0, std::int64_t u1) {
    for (std::int64_t u = u0; u < u1; ++u) {
      const std::int64_t o = u / per_outer, i0 = (u % per_outer) * width;
      Offsets<N> off{};
      std::int64_t rem = o;
      for (int d = last - 1; d >= 0; --d) {
        const std::int64_t i = rem % rows.sizes[d];
        rem /= rows.sizes[d];
        for (int k = 0; k < N; ++k) off[k] += i * rows.strides[k][d];
      }
      for (int k = 0; k < N; ++k) off[k] += i0 * rows.strides[k][last];
      if (unit) tile(off, std::min(width, inner - i0));
      else row(off);
    }
  });
}

// Max of n elements with stride s. Eight independent lanes in the contiguous
// case: no single dependency chain, and the compiler can keep them in one
// SIMD register (max is exact, so the lane order does not matter).
template <typename T>
T row_max(const T* x, std::int64_t n, std::int64_t s) {
  T m[8];
  for (auto& v : m) v = -std::numeric_limits<T>::infinity();
  std::int64_t i = 0;
  if (s == 1)
    for (; i + 8 <= n; i += 8)
      for (int l = 0; l < 8; ++l) m[l] = std::max(m[l], x[i + l]);
  for (; i < n; ++i) m[0] = std::max(m[0], x[i * s]);
  for (int l = 1; l < 8; ++l) m[0] = std::max(m[0], m[l]);
  return m[0];
}

// Sum of n contiguous elements in eight partial sums combined in a fixed order
// (so the result does not depend on threads), for the same reason.
template <typename Acc, typename T>
Acc contiguous_sum(const T* x, std::int64_t n) {
  Acc p[8] = {};
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; ++l) p[l] += static_cast<Acc>(x[i + l]);
  for (; i < n; ++i) p[0] += static_cast<Acc>(x[i]);
  return ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
}

template <typename T>
void softmax_row(bool log, T* o, std::int64_t so, const T* x, std::int64_t sx, std::int64_t n) {
  using Acc = typename acc_type<T>::type;
  const T m = row_max(x, n, sx);
  Acc sum = 0;
  if (so == 1 && sx == 1) {
    exp_shifted(x, m, o, n);  // o = exp(x - m), vectorised
    sum = contiguous_sum<Acc>(o, n);
    if (log) {
      const T shift = static_cast<T>(static_cast<Acc>(m) + std::log(sum));
      for (std::int64_t i = 0; i < n; ++i) o[i] = x[i] - shift;
    } else {
      const T inv = static_cast<T>(Acc(1) / sum);
      for (std::int64_t i = 0; i < n; ++i) o[i] *= inv;
    }
    return;
  }
  for (std::int64_t i = 0; i < n; ++i) sum += std::exp(x[i * sx] - m);
  if (log) {
    const T shift = static_cast<T>(static_cast<Acc>(m) + std::log(sum));
    for (std::int64_t i = 0; i < n; ++i) o[i * so] = x[i * sx] - shift;
  } else {
    const T inv = static_cast<T>(Acc(1) / sum);
    for (std::int64_t i = 0; i < n; ++i) o[i * so] = std::exp(x[i * sx] - m) * inv;
  }
}

// w adjacent rows (unit stride across rows), row elements so / sx apart.
template <typename T>
void softmax_tile(bool log, T* o, std::int64_t so, const T* x, std::int64_t sx, std::int64_t n, std::int64_t w) {
  using Acc = typename acc_type<T>::type;
  T m[kTile];
  Acc sum[kTile];
  T shift[kTile];
  for (std::int64_t j = 0; j < w; ++j) {
    m[j] = -std::numeric_limits<T>::infinity();
    sum[j] = 0;
  }
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = 0; j < w; ++j) m[j] = std::max(m[j], x[i * sx + j]);
  for (std::int64_t i = 0; i < n; ++i) {
    exp_diff(x + i * sx, m, o + i * so, w);  // o = exp(x - m) across the tile, vectorised
    for (std::int64_t j = 0; j < w; ++j) sum[j] += o[i * so + j];
  }
  for (std::int64_t j = 0; j < w; ++j)
    shift[j] = log ? static_cast<T>(static_cast<Acc>(m[j]) + std::log(sum[j])) : static_cast<T>(Acc(1) / sum[j]);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = 0; j < w; ++j) {
      if (log) o[i * so + j] = x[i * sx + j] - shift[j];
      else o[i * so + j] *= shift[j];
    }
}

template <typename T>
void softmax_backward_row(bool log, T* gx, std::int64_t s0, const T* g, std::int64_t s1, const T* y, std::int64_t s2,
                          std::int64_t n) {
  using Acc = typename acc_type<T>::type;
  Acc dot = 0;
  if (s0 == 1 && s1 == 1 && s2 == 1) {
    if (log) {
      dot = contiguous_sum<Acc>(g, n);
      const T d = static_cast<T>(dot);
      exp_shifted(y, T(0), gx, n);  // gx = exp(y) = softmax, then g - softmax * sum(g)
      for (std::int64_t i = 0; i < n; ++i) gx[i] = g[i] - gx[i] * d;
    } else {
      for (std::int64_t i = 0; i < n; ++i) dot += static_cast<Acc>(g[i]) * y[i];
      const T d = static_cast<T>(dot);
      for (std::int64_t i = 0; i < n; ++i) gx[i] = y[i] * (g[i] - d);
    }
    return;
  }
  for (std::int64_t i = 0; i < n; ++i) dot += log ? Acc(g[i * s1]) : Acc(g[i * s1]) * y[i * s2];
  const T d = static_cast<T>(dot);
  for (std::int64_t i = 0; i < n; ++i)
    gx[i * s0] = log ? g[i * s1] - std::exp(y[i * s2]) * d : y[i * s2] * (g[i * s1] - d);
}

template <typename T>
void softmax_backward_tile(bool log, T* gx, std::int64_t s0, const T* g, std::int64_t s1, const T* y,
                           std::int64_t s2, std::int64_t n, std::int64_t w) {
  using Acc = typename acc_type<T>::type;
  Acc dot[kTile];
  T d[kTile];
  for (std::int64_t j = 0; j < w; ++j) dot[j] = 0;
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = 0; j < w; ++j) dot[j] += log ? Acc(g[i * s1 + j]) : Acc(g[i * s1 + j]) * y[i * s2 + j];
  for (std::int64_t j = 0; j < w; ++j) d[j] = static_cast<T>(dot[j]);
  for (std::int64_t i = 0; i < n; ++i) {
    T* gxi = gx + i * s0;
    const T* gi = g + i * s1;
    const T* yi = y + i * s2;
    if (log) {
      exp_shifted(yi, T(0), gxi, w);
      for (std::int64_t j = 0; j < w; ++j) gxi[j] = gi[j] - gxi[j] * d[j];
    } else {
      for (std::int64_t j = 0; j < w; ++j) gxi[j] = yi[j] * (gi[j] - d[j]);
    }
  }
}

}  // namespace

template <typename T>
void softmax(bool log, const RowLoop& loop, T* out, const T* x) {
  const std::int64_t n = loop.n, so = loop.dim_strides[0], sx = loop.dim_strides[1];
  if (n == 0 || loop.rows.numel() == 0) return;
  for_rows<2>(
      loop, so != 1 || sx != 1,
      [&](const Offsets<2>& off) { softmax_row(log, out + off[0], so, x + off[1], sx, n); },
      [&](const Offsets<2>& off, std::int64_t w) { softmax_tile(log, out + off[0], so, x + off[1], sx, n, w); });
}

template <typename T>
void softmax_backward(bool log, const RowLoop& loop, T* grad_x, const T* grad_y, const T* y) {
  const std::int64_t n = loop.n, s0 = loop.dim_strides[0], s1 = loop.dim_strides[1], s2 = loop.dim_strides[2];
  if (n == 0 || loop.rows.numel() == 0) return;
  for_rows<3>(
      loop, s0 != 1 || s1 != 1 || s2 != 1,
      [&](const Offsets<3>& off) {
        softmax_backward_row(log, grad_x + off[0], s0, grad_y + off[1], s1, y + off[2], s2, n);
      },
      [&](const Offsets<3>& off, std::int64_t w) {
        softmax_backward_tile(log, grad_x + off[0], s0, grad_y + off[1], s1, y + off[2], s2, n, w);
      });
}

template <typename T>
void cross_entropy_backward(const RowLoop& loop, const CrossEntropyParams& p, T* grad_logits, const T* log_probs,
                            const T* grad_loss, const std::int64_t* labels) {
  const std::int64_t n = loop.n, s0 = loop.dim_strides[0], s1 = loop.dim_strides[1];
  if (n == 0 || loop.rows.numel() == 0) return;
  const T uniform = static_cast<T>(p.smoothing / static_cast<double>(n));
  const T on_label = static_cast<T>(1.0 - p.smoothing);
  for_rows<4>(
      loop, false,
      [&](const Offsets<4>& off) {
        T* gx = grad_logits + off[0];
        const T* lp = log_probs + off[1];
        const T g = static_cast<T>(p.scale * static_cast<double>(grad_loss[off[2]]));
        const std::int64_t label = labels[off[3]];
        // g (softmax - s/C) everywhere, then - g (1 - s) at the label.
        if (s0 == 1 && s1 == 1) {
          exp_shifted(lp, T(0), gx, n);  // softmax, vectorised
          for (std::int64_t c = 0; c < n; ++c) gx[c] = g * (gx[c] - uniform);
        } else {
          for (std::int64_t c = 0; c < n; ++c) gx[c * s0] = g * (std::exp(lp[c * s1]) - uniform);
        }
        if (label >= 0 && label < n) gx[label * s0] -= g * on_label;
      },
      [](const Offsets<4>&, std::int64_t) {});
}

#define ADVGRAD_INSTANTIATE(T)                                                                                  \
  template void softmax<T>(bool, const RowLoop&, T*, const T*);                                                \
  template void softmax_backward<T>(bool, const RowLoop&, T*, const T*, const T*);                             \
  template void cross_entropy_backward<T>(const RowLoop&, const CrossEntropyParams&, T*, const T*, const T*,   \
                                          const std::int64_t*);
ADVGRAD_INSTANTIATE(float)
ADVGRAD_INSTANTIATE(double)
#undef ADVGRAD_INSTANTIATE

}  // namespace advgrad::kernels::cpu
