// Depthwise convolution (groups == C: every output channel o reads the one
// input channel c = o / M, M = O / C) as direct loops over the kernel taps:
//   y[n,o] = b[o] + sum_{i,j} w[o,0,i,j] * shift_{i,j}(x[n,c])
// where shift_{i,j} picks x[oh sh - ph + i dh][ow sw - pw + j dw]. For each tap
// the valid output rows and columns are computed once, so the inner loop is a
// branch-free axpy over a row (contiguous when the stride is 1).
// These are the portable loops (any channel multiplier, any ISA); with AVX2
// and no channel multiplier the kernels of conv_depthwise_avx2.h run instead.
#include <algorithm>
#include <vector>

#include "advgrad/kernels/cpu/conv.h"
#include "advgrad/kernels/cpu/conv_depthwise_avx2.h"
#include "advgrad/kernels/cpu/cpu_features.h"
#include "advgrad/kernels/cpu/im2col.h"
#include "advgrad/kernels/cpu/parallel.h"
#include "advgrad/kernels/reduce_ops.h"

namespace advgrad::kernels::cpu {

namespace {

// Output rows [lo, hi) whose input row oh sh - ph + i dh lies in [0, H).
ValidRange valid_rows(const Conv2dParams& p, std::int64_t i) {
  return valid_columns(i * p.dilation_h - p.pad_h, p.stride_h, p.H, 0, p.OH);
}
ValidRange valid_cols(const Conv2dParams& p, std::int64_t j) {
  return valid_columns(j * p.dilation_w - p.pad_w, p.stride_w, p.W, 0, p.OW);
}

bool use_avx2(const Conv2dParams& p) { return cpu_isa() >= Isa::Avx2 && conv_detail::depthwise_avx2_usable(p); }

}  // namespace

template <typename T>
void depthwise_conv2d_forward(const Conv2dParams& p, const T* x, const T* w, const T* bias, T* y) {
  if (use_avx2(p)) return conv_detail::depthwise_avx2_forward(p, x, w, bias, y);
  const std::int64_t M = p.O / p.C, HW = p.in_plane(), P = p.out_plane(), taps = p.kh * p.kw;
  parallel_for(0, p.N * p.O, 1, [&](std::int64_t q0, std::int64_t q1) {
    for (std::int64_t q = q0; q < q1; ++q) {
      const std::int64_t n = q / p.O, o = q % p.O, c = o / M;
      const T* xp = x + (n * p.C + c) * HW;
      T* yp = y + q * P;
      std::fill(yp, yp + P, bias ? bias[o] : T(0));
      for (std::int64_t i = 0; i < p.kh; ++i) {
        const ValidRange rows = valid_rows(p, i);
        for (std::int64_t j = 0; j < p.kw; ++j) {
          const ValidRange cols = valid_cols(p, j);
          const T wv = w[o * taps + i * p.kw + j];
          const std::int64_t dh = i * p.dilation_h - p.pad_h, dw = j * p.dilation_w - p.pad_w;
          for (std::int64_t oh = rows.lo; oh < rows.hi; ++oh) {
            T* yrow = yp + oh * p.OW;
            const std::int64_t src = (oh * p.stride_h + dh) * p.W + dw;  // xp[src + ow sw]
            if (p.stride_w == 1) {
              for (std::int64_t ow = cols.lo; ow < cols.hi; ++ow) yrow[ow] += wv * xp[src + ow];
            } else {
              for (std::int64_t ow = cols.lo; ow < cols.hi; ++ow) yrow[ow] += wv * xp[src + ow * p.stride_w];
            }
          }
        }
      }
    }
  });
}

// gx[n,c] = sum_{o of channel c} sum_{i,j} w[o,0,i,j] * (gy[n,o] scattered back along tap (i, j))
template <typename T>
void depthwise_conv2d_backward_input(const Conv2dParams& p, const T* gy, const T* w, T* gx) {
  if (use_avx2(p)) return conv_detail::depthwise_avx2_backward_input(p, gy, w, gx);
  const std::int64_t M = p.O / p.C, HW = p.in_plane(), P = p.out_plane(), taps = p.kh * p.kw;
  parallel_for(0, p.N * p.C, 1, [&](std::int64_t q0, std::int64_t q1) {
    for (std::int64_t q = q0; q < q1; ++q) {
      const std::int64_t n = q / p.C, c = q % p.C;
      T* gxp = gx + q * HW;
      std::fill(gxp, gxp + HW, T(0));
      for (std::int64_t o = c * M; o < (c + 1) * M; ++o) {
        const T* gyp = gy + (n * p.O + o) * P;
        for (std::int64_t i = 0; i < p.kh; ++i) {
          const ValidRange rows = valid_rows(p, i);
          for (std::int64_t j = 0; j < p.kw; ++j) {
            const ValidRange cols = valid_cols(p, j);
            const T wv = w[o * taps + i * p.kw + j];
            const std::int64_t dh = i * p.dilation_h - p.pad_h, dw = j * p.dilation_w - p.pad_w;
            for (std::int64_t oh = rows.lo; oh < rows.hi; ++oh) {
              const T* gyrow = gyp + oh * p.OW;
              const std::int64_t dst = (oh * p.stride_h + dh) * p.W + dw;
              if (p.stride_w == 1) {
                for (std::int64_t ow = cols.lo; ow < cols.hi; ++ow) gxp[dst + ow] += wv * gyrow[ow];
              } else {
                for (std::int64_t ow = cols.lo; ow < cols.hi; ++ow) gxp[dst + ow * p.stride_w] += wv * gyrow[ow];
              }
            }
          }
        }
      }
    }
  });
}

// gw[o,0,i,j] = sum_n sum_{oh,ow} gy[n,o,oh,ow] x[n,c,oh sh - ph + i dh, ow sw - pw + j dw];
// one output channel per task, the batch summed in order (thread-count independent).
template <typename T>
void depthwise_conv2d_backward_weight(const Conv2dParams& p, const T* x, const T* gy, T* gw) {
  if (use_avx2(p)) return conv_detail::depthwise_avx2_backward_weight(p, x, gy, gw);
  using Acc = typename acc_type<T>::type;
  const std::int64_t M = p.O / p.C, HW = p.in_plane(), P = p.out_plane(), taps = p.kh * p.kw;
  parallel_for(0, p.O, 1, [&](std::int64_t o0, std::int64_t o1) {
    std::vector<T> row_sums(static_cast<std::size_t>(p.OW));
    for (std::int64_t o = o0; o < o1; ++o) {
      const std::int64_t c = o / M;
      for (std::int64_t i = 0; i < p.kh; ++i) {
        const ValidRange rows = valid_rows(p, i);
        for (std::int64_t j = 0; j < p.kw; ++j) {
          const ValidRange cols = valid_cols(p, j);
          const std::int64_t dh = i * p.dilation_h - p.pad_h, dw = j * p.dilation_w - p.pad_w;
          // Per-column partial sums over rows and images (vectorisable), then one final sum.
          std::fill(row_sums.begin(), row_sums.end(), T(0));
          for (std::int64_t n = 0; n < p.N; ++n) {
            const T* xp = x + (n * p.C + c) * HW;
            const T* gyp = gy + (n * p.O + o) * P;
            for (std::int64_t oh = rows.lo; oh < rows.hi; ++oh) {
              const T* gyrow = gyp + oh * p.OW;
              const std::int64_t src = (oh * p.stride_h + dh) * p.W + dw;
              if (p.stride_w == 1) {
                for (std::int64_t ow = cols.lo; ow < cols.hi; ++ow) row_sums[ow] += gyrow[ow] * xp[src + ow];
              } else {
                for (std::int64_t ow = cols.lo; ow < cols.hi; ++ow)
                  row_sums[ow] += gyrow[ow] * xp[src + ow * p.stride_w];
              }
            }
          }
          Acc total = 0;
          for (std::int64_t ow = cols.lo; ow < cols.hi; ++ow) total += static_cast<Acc>(row_sums[ow]);
          gw[o * taps + i * p.kw + j] = static_cast<T>(total);
        }
      }
    }
  });
}

template void depthwise_conv2d_forward<float>(const Conv2dParams&, const float*, const float*, const float*, float*);
template void depthwise_conv2d_forward<double>(const Conv2dParams&, const double*, const double*, const double*,
                                               double*);
template void depthwise_conv2d_backward_input<float>(const Conv2dParams&, const float*, const float*, float*);
template void depthwise_conv2d_backward_input<double>(const Conv2dParams&, const double*, const double*, double*);
template void depthwise_conv2d_backward_weight<float>(const Conv2dParams&, const float*, const float*, float*);
template void depthwise_conv2d_backward_weight<double>(const Conv2dParams&, const double*, const double*, double*);

}  // namespace advgrad::kernels::cpu
