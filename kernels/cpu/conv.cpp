// im2col + GEMM convolution; see kernels/cpu/conv.h for the scheme.
#include "advgrad/kernels/cpu/conv.h"

#include <algorithm>
#include <vector>

#include "advgrad/kernels/cpu/conv_avx512.h"
#include "advgrad/kernels/cpu/cpu_features.h"
#include "advgrad/kernels/cpu/gemm.h"
#include "advgrad/kernels/cpu/im2col.h"
#include "advgrad/kernels/cpu/parallel.h"

namespace advgrad::kernels::cpu {

namespace {

// The column tile: as many output positions as keep the K x tile column matrix
// within ~1 MiB (it is re-read by the GEMM's packing), at least 256 or all.
template <typename T>
std::int64_t column_tile(const Conv2dParams& p) {
  constexpr std::int64_t kBudgetBytes = 1 << 20;
  const std::int64_t P = p.out_plane(), K = p.col_rows();
  const std::int64_t fit = kBudgetBytes / (K * static_cast<std::int64_t>(sizeof(T)));
  if (fit >= P) return P;
  return std::min(P, std::max<std::int64_t>(256, fit / 16 * 16));
}

// 1x1, stride 1, no padding: the column matrix of a group is its input planes.
bool is_pointwise(const Conv2dParams& p) {
  return p.kh == 1 && p.kw == 1 && p.stride_h == 1 && p.stride_w == 1 && p.pad_h == 0 && p.pad_w == 0;
}

// Row-major GEMM C = op(A) op(B) (+ C when accumulate), single batch.
template <typename T>
void gemm2d(std::int64_t m, std::int64_t n, std::int64_t k, bool trans_a, const T* a, std::int64_t lda,
            bool trans_b, const T* b, std::int64_t ldb, T* c, std::int64_t ldc, bool accumulate) {
  GemmParams g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.trans_a = trans_a;
  g.trans_b = trans_b;
  g.lda = lda;
  g.ldb = ldb;
  g.ldc = ldc;
  g.beta = accumulate ? 1.0 : 0.0;
  gemm<T>(g, a, b, c);
}

}  // namespace

bool is_depthwise(const Conv2dParams& p) { return p.groups == p.C && p.groups > 1; }

template <typename T>
void conv2d_forward(const Conv2dParams& p, const T* x, const T* w, const T* bias, T* y) {
  if (is_depthwise(p)) return depthwise_conv2d_forward(p, x, w, bias, y);
  gemm_conv2d_forward(p, x, w, bias, y);
}

template <typename T>
void conv2d_backward_input(const Conv2dParams& p, const T* gy, const T* w, T* gx) {
  if (is_depthwise(p)) return depthwise_conv2d_backward_input(p, gy, w, gx);
  gemm_conv2d_backward_input(p, gy, w, gx);
}

template <typename T>
void conv2d_backward_weight(const Conv2dParams& p, const T* x, const T* gy, T* gw) {
  if (is_depthwise(p)) return depthwise_conv2d_backward_weight(p, x, gy, gw);
  gemm_conv2d_backward_weight(p, x, gy, gw);
}

template <typename T>
void gemm_conv2d_forward(const Conv2dParams& p, const T* x, const T* w, const T* bias, T* y) {
  if constexpr (sizeof(T) == 4) {
    if (cpu_isa() == Isa::Avx512 && conv_detail::avx512_direct_usable(p))
      return conv_detail::avx512_conv2d_forward(p, x, w, bias, y);
  }
  const std::int64_t Cg = p.in_channels_per_group(), Og = p.out_channels_per_group();
  const std::int64_t K = p.col_rows(), P = p.out_plane(), HW = p.in_plane();
  const std::int64_t tile = column_tile<T>(p);
  const bool pointwise = is_pointwise(p);
  parallel_for(0, p.N, 1, [&](std::int64_t n0, std::int64_t n1) {
    std::vector<T> col(pointwise ? 0 : static_cast<std::size_t>(K * tile));
    for (std::int64_t n = n0; n < n1; ++n) {
      const T* xn = x + n * p.C * HW;
      T* yn = y + n * p.O * P;
      for (std::int64_t g = 0; g < p.groups; ++g) {
        const T* x_g = xn + g * Cg * HW;
        for (std::int64_t p0 = 0; p0 < P; p0 += tile) {
          const std::int64_t p1 = std::min(P, p0 + tile);
          const T* b = x_g + p0;
          std::int64_t ldb = HW;
          if (!pointwise) {
            im2col(p, x_g, p0, p1, col.data());
            b = col.data();
            ldb = p1 - p0;
          }
          gemm2d<T>(Og, p1 - p0, K, false, w + g * Og * K, K, false, b, ldb, yn + g * Og * P + p0, P, false);
        }
      }
      if (bias)
        for (std::int64_t o = 0; o < p.O; ++o) {
          T* row = yn + o * P;
          const T bo = bias[o];
          for (std::int64_t q = 0; q < P; ++q) row[q] += bo;
        }
    }
  });
}

template <typename T>
void gemm_conv2d_backward_input(const Conv2dParams& p, const T* gy, const T* w, T* gx) {
  const std::int64_t Cg = p.in_channels_per_group(), Og = p.out_channels_per_group();
  const std::int64_t K = p.col_rows(), P = p.out_plane(), HW = p.in_plane();
  const std::int64_t tile = column_tile<T>(p);
  const bool pointwise = is_pointwise(p);
  parallel_for(0, p.N, 1, [&](std::int64_t n0, std::int64_t n1) {
    std::vector<T> col(pointwise ? 0 : static_cast<std::size_t>(K * tile));
    for (std::int64_t n = n0; n < n1; ++n) {
      const T* gyn = gy + n * p.O * P;
      T* gxn = gx + n * p.C * HW;
      if (!pointwise) std::fill(gxn, gxn + p.C * HW, T(0));
      for (std::int64_t g = 0; g < p.groups; ++g) {
        T* gx_g = gxn + g * Cg * HW;
        for (std::int64_t p0 = 0; p0 < P; p0 += tile) {
          const std::int64_t p1 = std::min(P, p0 + tile);
          // dcol (K x tile) = W_g^T (K x Og) * gy_g tile (Og x tile)
          const T* a = w + g * Og * K;
          const T* b = gyn + g * Og * P + p0;
          if (pointwise) {
            gemm2d<T>(K, p1 - p0, Og, true, a, K, false, b, P, gx_g + p0, HW, false);
          } else {
            gemm2d<T>(K, p1 - p0, Og, true, a, K, false, b, P, col.data(), p1 - p0, false);
            col2im_add(p, col.data(), p0, p1, gx_g);
          }
        }
      }
    }
  });
}

// dW_g (Og x K) = sum_n gy_g[n] (Og x P) * col_g[n]^T (P x K). When K is small
// next to Og (a first layer: K = 9 for one 3x3 channel) the GEMM is run
// transposed, dW_g^T (K x Og) = col_g * gy_g^T, so that its long output side is
// Og rather than K (GEMM micro-kernels are wide in n); the partial sums are then
// kept transposed and transposed back in the final reduction.
template <typename T>
void gemm_conv2d_backward_weight(const Conv2dParams& p, const T* x, const T* gy, T* gw) {
  const std::int64_t Cg = p.in_channels_per_group(), Og = p.out_channels_per_group();
  const std::int64_t K = p.col_rows(), P = p.out_plane(), HW = p.in_plane();
  const std::int64_t WN = p.O * K;  // weight elements
  const std::int64_t tile = column_tile<T>(p);
  const bool pointwise = is_pointwise(p);
  const bool transposed = K < 32 && K < Og;
  const std::int64_t chunks = std::min<std::int64_t>(get_num_threads(), p.N);
  if (chunks == 0) {
    std::fill(gw, gw + WN, T(0));
    return;
  }
  // Chunk 0 accumulates straight into gw (unless transposed); the others into
  // their own partials. Each group's block is Og x K (K x Og when transposed).
  const bool direct0 = !transposed;
  std::vector<T> partials(static_cast<std::size_t>((chunks - (direct0 ? 1 : 0)) * WN));
  auto partial = [&](std::int64_t ch) {
    if (!direct0) return partials.data() + ch * WN;
    return ch == 0 ? gw : partials.data() + (ch - 1) * WN;
  };
  parallel_for(0, chunks, 1, [&](std::int64_t c0, std::int64_t c1) {
    std::vector<T> col(pointwise ? 0 : static_cast<std::size_t>(K * tile));
    for (std::int64_t ch = c0; ch < c1; ++ch) {
      T* acc = partial(ch);
      const std::int64_t n_begin = p.N * ch / chunks, n_end = p.N * (ch + 1) / chunks;
      for (std::int64_t n = n_begin; n < n_end; ++n) {
        const T* xn = x + n * p.C * HW;
        const T* gyn = gy + n * p.O * P;
        for (std::int64_t g = 0; g < p.groups; ++g) {
          const T* x_g = xn + g * Cg * HW;
          for (std::int64_t p0 = 0; p0 < P; p0 += tile) {
            const std::int64_t p1 = std::min(P, p0 + tile);
            const T* b = x_g + p0;
            std::int64_t ldb = HW;
            if (!pointwise) {
              im2col(p, x_g, p0, p1, col.data());
              b = col.data();
              ldb = p1 - p0;
            }
            const bool accumulate = n != n_begin || p0 != 0;  // the first product overwrites
            const T* gy_g = gyn + g * Og * P + p0;
            if (transposed)  // dW_g^T (K x Og) += col (K x tile) * gy_g^T (tile x Og)
              gemm2d<T>(K, Og, p1 - p0, false, b, ldb, true, gy_g, P, acc + g * Og * K, Og, accumulate);
            else  // dW_g (Og x K) += gy_g (Og x tile) * col^T (tile x K)
              gemm2d<T>(Og, K, p1 - p0, false, gy_g, P, true, b, ldb, acc + g * Og * K, K, accumulate);
          }
        }
      }
    }
  });
  // gw = sum of the partials in chunk order, element by element.
  if (!transposed) {
    if (chunks > 1)
      parallel_for(0, WN, 4096, [&](std::int64_t e0, std::int64_t e1) {
        for (std::int64_t ch = 1; ch < chunks; ++ch) {
          const T* part = partial(ch);
          for (std::int64_t e = e0; e < e1; ++e) gw[e] += part[e];
        }
      });
    return;
  }
  // Transposed partials: gw[g][o][t] = sum_ch partial_ch[g][t][o].
  for (std::int64_t g = 0; g < p.groups; ++g)
    for (std::int64_t o = 0; o < Og; ++o)
      for (std::int64_t t = 0; t < K; ++t) {
        T sum = 0;
        for (std::int64_t ch = 0; ch < chunks; ++ch) sum += partial(ch)[g * Og * K + t * Og + o];
        gw[(g * Og + o) * K + t] = sum;
      }
}

#define ADVGRAD_CPU_CONV_INSTANTIATE(T)                                                        \
  template void conv2d_forward<T>(const Conv2dParams&, const T*, const T*, const T*, T*);      \
  template void conv2d_backward_input<T>(const Conv2dParams&, const T*, const T*, T*);         \
  template void conv2d_backward_weight<T>(const Conv2dParams&, const T*, const T*, T*);        \
  template void gemm_conv2d_forward<T>(const Conv2dParams&, const T*, const T*, const T*, T*); \
  template void gemm_conv2d_backward_input<T>(const Conv2dParams&, const T*, const T*, T*);    \
  template void gemm_conv2d_backward_weight<T>(const Conv2dParams&, const T*, const T*, T*);
ADVGRAD_CPU_CONV_INSTANTIATE(float)
ADVGRAD_CPU_CONV_INSTANTIATE(double)
#undef ADVGRAD_CPU_CONV_INSTANTIATE

}  // namespace advgrad::kernels::cpu
