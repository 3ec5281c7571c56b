// AVX-512 float convolution forward with the output channels on the vector
// lanes; see kernels/cpu/conv_avx512.h. Compiled for baseline x86-64: only
// these functions carry the AVX-512 target, and conv.cpp calls them only when
// cpu_isa() says so.
// GCC 12 reports its own _mm512_undefined_ps() inside the shuffle intrinsics
// as maybe-uninitialized once inlined (see gemm_microkernel_avx512.cpp).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "advgrad/kernels/cpu/conv_avx512.h"

#include <immintrin.h>

#include <algorithm>
#include <vector>

#include "advgrad/kernels/cpu/avx512_transpose.h"
#include "advgrad/kernels/cpu/gemm_microkernels.h"
#include "advgrad/kernels/cpu/parallel.h"

namespace advgrad::kernels::cpu::conv_detail {
namespace {

#define CONV_TARGET __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma")))

using std::int64_t;

// y[o * ldy + j] = yt[j * ldt + o] (+ bias[o]) for o < m (a multiple of 16), j < n.
CONV_TARGET void transpose_out(const float* yt, int64_t ldt, int64_t m, int64_t n, const float* bias, float* y,
                               int64_t ldy) {
  for (int64_t j0 = 0; j0 < n; j0 += 16) {
    const int jn = static_cast<int>(std::min<int64_t>(16, n - j0));
    const __mmask16 mask = static_cast<__mmask16>((1u << jn) - 1u);
    for (int64_t o0 = 0; o0 < m; o0 += 16) {
      __m512 r[16];
#pragma GCC unroll 16
      for (int i = 0; i < 16; ++i) r[i] = i < jn ? _mm512_loadu_ps(yt + (j0 + i) * ldt + o0) : _mm512_setzero_ps();
      transpose16x16(r);
      if (bias) {
#pragma GCC unroll 16
        for (int i = 0; i < 16; ++i) r[i] = _mm512_add_ps(r[i], _mm512_set1_ps(bias[o0 + i]));
      }
      if (jn == 16) {
#pragma GCC unroll 16
        for (int i = 0; i < 16; ++i) _mm512_storeu_ps(y + (o0 + i) * ldy + j0, r[i]);
      } else {
#pragma GCC unroll 16
        for (int i = 0; i < 16; ++i) _mm512_mask_storeu_ps(y + (o0 + i) * ldy + j0, mask, r[i]);
      }
    }
  }
}

// yt[r * ldt + o] = sum_k w[k * 16 NV + o] * src[r][tap[k]] for r < R, o < 16 NV.
template <int NV, int R>
CONV_TARGET void tile_kernel(int64_t K, const float* w, const std::int32_t* tap, const float* const* src, float* yt,
                             int64_t ldt) {
  __m512 acc[R][NV];
  const float* s[R];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    s[r] = src[r];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_ps();
  }
#pragma GCC unroll 2
  for (int64_t k = 0; k < K; ++k) {
    __m512 wv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) wv[v] = _mm512_loadu_ps(w + v * 16);
    const int64_t off = tap[k];
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const __m512 xv = _mm512_set1_ps(s[r][off]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_fmadd_ps(wv[v], xv, acc[r][v]);
    }
    w += 16 * NV;
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) _mm512_storeu_ps(yt + r * ldt + v * 16, acc[r][v]);
}

// The interior of the padded planes: dst[(c Hp + h + ph) Wp + pw + v] = src[(c H + h) W + v].
CONV_TARGET void copy_padded(const float* src, int64_t planes, int64_t H, int64_t W, int64_t ph, int64_t pw,
                             int64_t Hp, int64_t Wp, float* dst) {
  const int tail = static_cast<int>(W % 16);
  const __mmask16 mask = static_cast<__mmask16>((1u << tail) - 1u);
  for (int64_t c = 0; c < planes; ++c)
    for (int64_t h = 0; h < H; ++h, src += W) {
      float* d = dst + (c * Hp + h + ph) * Wp + pw;
      int64_t v = 0;
      for (; v + 16 <= W; v += 16) _mm512_storeu_ps(d + v, _mm512_loadu_ps(src + v));
      if (tail) _mm512_mask_storeu_ps(d + v, mask, _mm512_maskz_loadu_ps(mask, src + v));
    }
}

// Positions per chunk of y^T: a multiple of 16 (the transpose) and of R.
constexpr int64_t kChunk = 96;

template <int NV, int R>
void forward(const Conv2dParams& p, const float* x, const float* bias, float* y, const float* packed,
             const std::vector<std::int32_t>& tap) {
  constexpr int BW = 16 * NV;
  const int64_t Cg = p.in_channels_per_group(), Og = p.out_channels_per_group(), K = p.col_rows();
  const int64_t P = p.out_plane(), HW = p.in_plane();
  const bool padded = p.pad_h != 0 || p.pad_w != 0;
  const int64_t Hp = p.H + 2 * p.pad_h, Wp = p.W + 2 * p.pad_w;
  // origin[q]: where output position q = oh OW + ow reads its tap (0, 0, 0).
  std::vector<int64_t> origin(static_cast<std::size_t>(P));
  for (int64_t q = 0; q < P; ++q) origin[q] = (q / p.OW) * p.stride_h * Wp + (q % p.OW) * p.stride_w;
  parallel_for(0, p.N, 1, [&](int64_t n0, int64_t n1) {
    // The padded planes: borders zeroed once, interiors copied per image and group.
    std::vector<float> xpad(padded ? static_cast<std::size_t>(Cg * Hp * Wp) : 0, 0.0f);
    std::vector<float> yt(static_cast<std::size_t>(kChunk * Og));
    for (int64_t n = n0; n < n1; ++n)
      for (int64_t g = 0; g < p.groups; ++g) {
        const float* x_g = x + (n * p.C + g * Cg) * HW;
        const float* base = x_g;
        if (padded) {
          copy_padded(x_g, Cg, p.H, p.W, p.pad_h, p.pad_w, Hp, Wp, xpad.data());
          base = xpad.data();
        }
        float* y_g = y + (n * p.O + g * Og) * P;
        const float* w_g = packed + g * Og * K;
        for (int64_t c0 = 0; c0 < P; c0 += kChunk) {
          const int64_t c1 = std::min(P, c0 + kChunk);
          // Bring the chunk's output lines towards the core while the tiles
          // compute, so that the transposed stores do not wait on memory.
          for (int64_t o = 0; o < Og; ++o) {
            const float* row = y_g + o * P;
            for (int64_t j = c0; j < c1; j += 16) _mm_prefetch(reinterpret_cast<const char*>(row + j), _MM_HINT_T1);
            _mm_prefetch(reinterpret_cast<const char*>(row + c1 - 1), _MM_HINT_T1);
          }
          for (int64_t j0 = c0; j0 < c1; j0 += R) {
            const float* src[R];
            for (int r = 0; r < R; ++r) src[r] = base + origin[std::min(j0 + r, c1 - 1)];  // past the end: repeat
            for (int64_t ob = 0; ob < Og; ob += BW)
              tile_kernel<NV, R>(K, w_g + ob * K, tap.data(), src, yt.data() + (j0 - c0) * Og + ob, Og);
          }
          transpose_out(yt.data(), Og, Og, c1 - c0, bias ? bias + g * Og : nullptr, y_g + c0, P);
        }
      }
  });
}

}  // namespace

bool avx512_direct_usable(const Conv2dParams& p) {
  const int64_t Og = p.out_channels_per_group(), K = p.col_rows();
  const int64_t Hp = p.H + 2 * p.pad_h, Wp = p.W + 2 * p.pad_w;
  // K >= 16: with a first layer's K = 9 (SmallCNN conv1) the tiles are too
  // short to pay for their set-up and the GEMM path measured as fast.
  // Offsets into the padded planes must fit the 32-bit tap table.
  return Og > 0 && Og % 32 == 0 && K >= 16 && p.in_channels_per_group() * Hp * Wp < (int64_t{1} << 31);
}

void avx512_conv2d_forward(const Conv2dParams& p, const float* x, const float* w, const float* bias, float* y) {
  const int64_t Cg = p.in_channels_per_group(), Og = p.out_channels_per_group(), K = p.col_rows();
  const bool padded = p.pad_h != 0 || p.pad_w != 0;
  const int64_t Hs = padded ? p.H + 2 * p.pad_h : p.H, Ws = padded ? p.W + 2 * p.pad_w : p.W;
  // tap[k] for k = (c kh + i) kw + j: the offset of that input value from a position's origin.
  std::vector<std::int32_t> tap(static_cast<std::size_t>(K));
  for (int64_t c = 0; c < Cg; ++c)
    for (int64_t i = 0; i < p.kh; ++i)
      for (int64_t j = 0; j < p.kw; ++j)
        tap[static_cast<std::size_t>((c * p.kh + i) * p.kw + j)] =
            static_cast<std::int32_t>((c * Hs + i * p.dilation_h) * Ws + j * p.dilation_w);
  // Weights: block b of each group as K x bw, packed[b bw K + k bw + o] = W_g[b bw + o][k].
  const int bw = Og % 64 == 0 ? 64 : 32;
  std::vector<float> packed(static_cast<std::size_t>(p.O * K));
  for (int64_t g = 0; g < p.groups; ++g)
    for (int64_t ob = 0; ob < Og; ob += bw)
      gemm_detail::avx512_kernels_f32().pack_transposed(w + (g * Og + ob) * K, K, bw, K, bw,
                                                        packed.data() + (g * Og + ob) * K);
  if (bw == 64) forward<4, 6>(p, x, bias, y, packed.data(), tap);
  else forward<2, 12>(p, x, bias, y, packed.data(), tap);
}

}  // namespace advgrad::kernels::cpu::conv_detail
