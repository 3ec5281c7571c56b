#include "advgrad/kernels/cpu/batch_norm.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "advgrad/kernels/cpu/parallel.h"
#include "advgrad/kernels/reduce_ops.h"

namespace advgrad::kernels::cpu {
namespace {

// Splits the channels into blocks (one thread each) so that a block holds about
// `target` values; body(c0, c1) reduces channels [c0, c1).
template <typename Body>
void over_channel_blocks(const BatchNormShape& sh, Body&& body) {
  const std::int64_t per = std::max<std::int64_t>(1, sh.per_channel());
  parallel_for(0, sh.c, std::max<std::int64_t>(1, 32768 / per), body);
}

// Runs body(plane p = n * C + c, first, last) over the (n, c) planes of S values,
// split across threads; the plane's channel is p % C.
template <typename Body>
void over_planes(const BatchNormShape& sh, Body&& body) {
  parallel_for(0, sh.n * sh.c, std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(1, sh.s)),
               [&](std::int64_t p0, std::int64_t p1) { body(p0, p1); });
}

// Sum of f(i), i in [0, n), in eight partial sums combined in a fixed order:
// no single chain of dependent additions, and the compiler can keep the
// lanes in SIMD registers.
template <typename Acc, typename F>
Acc lane_sum(std::int64_t n, F&& f) {
  Acc p[8] = {};
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; ++l) p[l] += f(i + l);
  for (; i < n; ++i) p[0] += f(i);
  return ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
}

// acc[c - c0] += sum_s f(x[n, c, s], c) for c in [c0, c1), walking memory in order.
template <typename Acc, typename T, typename F>
void channel_sums(const BatchNormShape& sh, std::int64_t c0, std::int64_t c1, const T* x, Acc* acc, F&& f) {
  for (std::int64_t n = 0; n < sh.n; ++n) {
    const T* row = x + (n * sh.c + c0) * sh.s;
    if (sh.s == 1) {  // [N, C]: one value per (n, c); the loop runs along c
      for (std::int64_t c = c0; c < c1; ++c) acc[c - c0] += f(row[c - c0], c);
      continue;
    }
    for (std::int64_t c = c0; c < c1; ++c) {
      const T* plane = row + (c - c0) * sh.s;
      acc[c - c0] += lane_sum<Acc>(sh.s, [&](std::int64_t s) { return f(plane[s], c); });
    }
  }
}

}  // namespace

template <typename T>
void batch_norm_stats(const BatchNormShape& sh, const T* x, T* mean, T* var) {
  using Acc = typename acc_type<T>::type;
  const Acc m = static_cast<Acc>(sh.per_channel());
  over_channel_blocks(sh, [&](std::int64_t c0, std::int64_t c1) {
    std::vector<Acc> sum(static_cast<std::size_t>(c1 - c0), Acc(0)), mu(sum.size()), sq(sum.size(), Acc(0));
    channel_sums<Acc>(sh, c0, c1, x, sum.data(), [](T v, std::int64_t) { return static_cast<Acc>(v); });
    for (std::size_t i = 0; i < sum.size(); ++i) mu[i] = sum[i] / m;
    channel_sums<Acc>(sh, c0, c1, x, sq.data(), [&](T v, std::int64_t c) {
      const Acc d = static_cast<Acc>(v) - mu[c - c0];
      return d * d;
    });
    for (std::int64_t c = c0; c < c1; ++c) {
      mean[c] = static_cast<T>(mu[c - c0]);
      var[c] = static_cast<T>(sq[c - c0] / m);
    }
  });
}

template <typename T>
void batch_norm_forward(const BatchNormShape& sh, const T* x, const T* mean, const T* invstd, const T* weight,
                        const T* bias, T* y) {
  // y = (x - mean) invstd w + b = a x + b' with a = invstd w, b' = b - mean a.
  std::vector<T> a(static_cast<std::size_t>(sh.c)), b(a.size());
  for (std::int64_t c = 0; c < sh.c; ++c) {
    a[c] = invstd[c] * (weight ? weight[c] : T(1));
    b[c] = (bias ? bias[c] : T(0)) - mean[c] * a[c];
  }
  over_planes(sh, [&](std::int64_t p0, std::int64_t p1) {
    std::int64_t c = p0 % sh.c;
    for (std::int64_t p = p0; p < p1; ++p) {
      const T* xp = x + p * sh.s;
      T* yp = y + p * sh.s;
      const T ac = a[c], bc = b[c];
      for (std::int64_t s = 0; s < sh.s; ++s) yp[s] = xp[s] * ac + bc;
      if (++c == sh.c) c = 0;
    }
  });
}

template <typename T>
void batch_norm_backward(const BatchNormShape& sh, bool batch_stats, const T* grad_y, const T* x, const T* mean,
                         const T* invstd, const T* weight, T* grad_x, T* grad_weight, T* grad_bias) {
  using Acc = typename acc_type<T>::type;
  const std::size_t nc = static_cast<std::size_t>(sh.c);
  std::vector<Acc> sum_g(nc, Acc(0)), sum_gxhat(nc, Acc(0));
  const bool need_sums = grad_weight || grad_bias || (grad_x && batch_stats);
  if (need_sums) {
    // Sums of g and g (x - mean) per channel; xhat's invstd factor is applied once at the end.
    over_channel_blocks(sh, [&](std::int64_t c0, std::int64_t c1) {
      for (std::int64_t n = 0; n < sh.n; ++n)
        for (std::int64_t c = c0; c < c1; ++c) {
          const T* gp = grad_y + (n * sh.c + c) * sh.s;
          const T* xp = x + (n * sh.c + c) * sh.s;
          const T mu = mean[c];
          sum_g[c] += lane_sum<Acc>(sh.s, [&](std::int64_t s) { return static_cast<Acc>(gp[s]); });
          sum_gxhat[c] += lane_sum<Acc>(
              sh.s, [&](std::int64_t s) { return static_cast<Acc>(gp[s]) * static_cast<Acc>(xp[s] - mu); });
        }
      for (std::int64_t c = c0; c < c1; ++c) sum_gxhat[c] *= invstd[c];
    });
  }
  for (std::int64_t c = 0; c < sh.c; ++c) {
    if (grad_bias) grad_bias[c] = static_cast<T>(sum_g[c]);
    if (grad_weight) grad_weight[c] = static_cast<T>(sum_gxhat[c]);
  }
  if (!grad_x) return;
  // grad_x = k g                                  (fixed statistics)
  //        = k g + bx (x - mean) + d,  k = w invstd, bx = -k invstd sum(g xhat) / M, d = -k sum(g) / M
  const Acc m = static_cast<Acc>(sh.per_channel());
  std::vector<T> k(nc), bx(nc), d(nc);
  for (std::int64_t c = 0; c < sh.c; ++c) {
    const Acc kc = (weight ? Acc(weight[c]) : Acc(1)) * invstd[c];
    k[c] = static_cast<T>(kc);
    bx[c] = batch_stats ? static_cast<T>(-kc * invstd[c] * sum_gxhat[c] / m) : T(0);
    d[c] = batch_stats ? static_cast<T>(-kc * sum_g[c] / m) : T(0);
  }
  over_planes(sh, [&](std::int64_t p0, std::int64_t p1) {
    std::int64_t c = p0 % sh.c;
    for (std::int64_t p = p0; p < p1; ++p) {
      const T* gp = grad_y + p * sh.s;
      const T* xp = x + p * sh.s;
      T* o = grad_x + p * sh.s;
      const T kc = k[c], bc = bx[c], dc = d[c], mu = mean[c];
      if (batch_stats) {
        for (std::int64_t s = 0; s < sh.s; ++s) o[s] = kc * gp[s] + bc * (xp[s] - mu) + dc;
      } else {
        for (std::int64_t s = 0; s < sh.s; ++s) o[s] = kc * gp[s];
      }
      if (++c == sh.c) c = 0;
    }
  });
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

}  // namespace advgrad::kernels::cpu
