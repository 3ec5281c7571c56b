#include "advgrad/kernels/cpu/pool.h"

#include <algorithm>
#include <cstdint>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "advgrad/kernels/cpu/parallel.h"

namespace advgrad::kernels::cpu {

namespace {

// Planes per task: enough work to be worth a thread hand-off.
std::int64_t plane_grain(std::int64_t plane_elems) {
  return std::max<std::int64_t>(1, 4096 / std::max<std::int64_t>(plane_elems, 1));
}

template <typename Body>
void for_each_plane(const Pool2dParams& p, std::int64_t plane_elems, Body&& body) {
  parallel_for(0, p.planes(), plane_grain(plane_elems), [&](std::int64_t q0, std::int64_t q1) {
    for (std::int64_t q = q0; q < q1; ++q) body(q);
  });
}

// "cand replaces cur" under the documented rule: strictly greater, or the first
// NaN. Bitwise & and | (no short circuit) and selects instead of branches: on
// random data the comparison is unpredictable.
template <typename T>
inline bool beats(T cand, T cur) {
  return (cand > cur) | ((cand != cand) & (cur == cur));
}
template <typename T>
inline void take_if_beats(T cand, std::int64_t k, T& best, std::int64_t& at) {
  const bool take = beats(cand, best);
  best = take ? cand : best;
  at = take ? k : at;
}

// Window of (oh, ow) clipped to the padded input, as for the reference.
struct Window {
  std::int64_t h0, h1, w0, w1, divisor;
};
inline Window avg_window(const Pool2dParams& p, std::int64_t oh, std::int64_t ow) {
  std::int64_t h0 = oh * p.stride_h - p.pad_h, w0 = ow * p.stride_w - p.pad_w;
  std::int64_t h1 = std::min(h0 + p.kh, p.H + p.pad_h), w1 = std::min(w0 + p.kw, p.W + p.pad_w);
  const std::int64_t padded = (h1 - h0) * (w1 - w0);
  h0 = std::max<std::int64_t>(h0, 0);
  w0 = std::max<std::int64_t>(w0, 0);
  h1 = std::min(h1, p.H);
  w1 = std::min(w1, p.W);
  return {h0, h1, w0, w1, p.count_include_pad ? padded : (h1 - h0) * (w1 - w0)};
}
inline Window adaptive_window(const Pool2dParams& p, std::int64_t oh, std::int64_t ow) {
  const std::int64_t h0 = adaptive_start(oh, p.H, p.OH), h1 = adaptive_end(oh, p.H, p.OH);
  const std::int64_t w0 = adaptive_start(ow, p.W, p.OW), w1 = adaptive_end(ow, p.W, p.OW);
  return {h0, h1, w0, w1, (h1 - h0) * (w1 - w0)};
}

// The common 2x2, stride-2, unpadded case: four candidates per output, first
// max in row-major order.
template <typename T>
void max_pool_2x2_row(std::int64_t OW, std::int64_t W, std::int64_t k0, std::int64_t ow0, const T* r0, const T* r1,
                      T* yrow, std::int64_t* irow) {
  for (std::int64_t ow = ow0; ow < OW; ++ow) {
    const std::int64_t k = k0 + 2 * ow;
    T best = r0[2 * ow];
    std::int64_t at = k;
    take_if_beats(r0[2 * ow + 1], k + 1, best, at);
    take_if_beats(r1[2 * ow], k + W, best, at);
    take_if_beats(r1[2 * ow + 1], k + W + 1, best, at);
    yrow[ow] = best;
    irow[ow] = at;
  }
}

#if defined(__SSE2__)
// Four outputs at a time with SSE2 (baseline on x86-64): deinterleave the even
// and odd columns of both rows into the four candidates a, b, c, d, then apply
// the same rule with masks: take = cand > best | (cand is NaN & best is not).
// `sel` records which candidate won (0..3); the index is k + offset[sel].
inline __m128 select(__m128 mask, __m128 a, __m128 b) { return _mm_or_ps(_mm_and_ps(mask, a), _mm_andnot_ps(mask, b)); }
inline __m128i select(__m128 mask, __m128i a, __m128i b) {
  const __m128i m = _mm_castps_si128(mask);
  return _mm_or_si128(_mm_and_si128(m, a), _mm_andnot_si128(m, b));
}
inline __m128 beats4(__m128 cand, __m128 best) {
  return _mm_or_ps(_mm_cmpgt_ps(cand, best), _mm_and_ps(_mm_cmpunord_ps(cand, cand), _mm_cmpord_ps(best, best)));
}

void max_pool_2x2(std::int64_t OH, std::int64_t OW, std::int64_t W, const float* xp, float* yp, std::int64_t* ip) {
  const std::int64_t offset[4] = {0, 1, W, W + 1};
  alignas(16) std::int32_t sel[4];
  for (std::int64_t oh = 0; oh < OH; ++oh) {
    const float* r0 = xp + 2 * oh * W;
    const float* r1 = r0 + W;
    float* yrow = yp + oh * OW;
    std::int64_t* irow = ip + oh * OW;
    const std::int64_t k0 = 2 * oh * W;
    std::int64_t ow = 0;
    for (; ow + 4 <= OW; ow += 4) {
      const __m128 r0lo = _mm_loadu_ps(r0 + 2 * ow), r0hi = _mm_loadu_ps(r0 + 2 * ow + 4);
      const __m128 r1lo = _mm_loadu_ps(r1 + 2 * ow), r1hi = _mm_loadu_ps(r1 + 2 * ow + 4);
      const __m128 a = _mm_shuffle_ps(r0lo, r0hi, _MM_SHUFFLE(2, 0, 2, 0));
      const __m128 b = _mm_shuffle_ps(r0lo, r0hi, _MM_SHUFFLE(3, 1, 3, 1));
      const __m128 c = _mm_shuffle_ps(r1lo, r1hi, _MM_SHUFFLE(2, 0, 2, 0));
      const __m128 d = _mm_shuffle_ps(r1lo, r1hi, _MM_SHUFFLE(3, 1, 3, 1));
      __m128 best = a;
      __m128i which = _mm_setzero_si128();
      __m128 take = beats4(b, best);
      best = select(take, b, best);
      which = select(take, _mm_set1_epi32(1), which);
      take = beats4(c, best);
      best = select(take, c, best);
      which = select(take, _mm_set1_epi32(2), which);
      take = beats4(d, best);
      best = select(take, d, best);
      which = select(take, _mm_set1_epi32(3), which);
      _mm_storeu_ps(yrow + ow, best);
      _mm_store_si128(reinterpret_cast<__m128i*>(sel), which);
      for (int e = 0; e < 4; ++e) irow[ow + e] = k0 + 2 * (ow + e) + offset[sel[e]];
    }
    max_pool_2x2_row(OW, W, k0, ow, r0, r1, yrow, irow);
  }
}
#else
void max_pool_2x2(std::int64_t OH, std::int64_t OW, std::int64_t W, const float* xp, float* yp, std::int64_t* ip) {
  for (std::int64_t oh = 0; oh < OH; ++oh)
    max_pool_2x2_row(OW, W, 2 * oh * W, 0, xp + 2 * oh * W, xp + (2 * oh + 1) * W, yp + oh * OW, ip + oh * OW);
}
#endif

void max_pool_2x2(std::int64_t OH, std::int64_t OW, std::int64_t W, const double* xp, double* yp, std::int64_t* ip) {
  for (std::int64_t oh = 0; oh < OH; ++oh)
    max_pool_2x2_row(OW, W, 2 * oh * W, 0, xp + 2 * oh * W, xp + (2 * oh + 1) * W, yp + oh * OW, ip + oh * OW);
}

}  // namespace

template <typename T>
void max_pool2d_forward(const Pool2dParams& p, const T* x, T* y, std::int64_t* indices) {
  const bool simple_2x2 = p.kh == 2 && p.kw == 2 && p.stride_h == 2 && p.stride_w == 2 && p.pad_h == 0 &&
                          p.pad_w == 0 && 2 * p.OH <= p.H && 2 * p.OW <= p.W;
  for_each_plane(p, p.in_plane(), [&](std::int64_t q) {
    const T* xp = x + q * p.in_plane();
    T* yp = y + q * p.out_plane();
    std::int64_t* ip = indices + q * p.out_plane();
    if (simple_2x2) return max_pool_2x2(p.OH, p.OW, p.W, xp, yp, ip);
    for (std::int64_t oh = 0; oh < p.OH; ++oh) {
      const std::int64_t hs = oh * p.stride_h - p.pad_h;
      const std::int64_t h0 = std::max<std::int64_t>(hs, 0), h1 = std::min(hs + p.kh, p.H);
      for (std::int64_t ow = 0; ow < p.OW; ++ow) {
        const std::int64_t ws = ow * p.stride_w - p.pad_w;
        const std::int64_t w0 = std::max<std::int64_t>(ws, 0), w1 = std::min(ws + p.kw, p.W);
        std::int64_t at = h0 * p.W + w0;  // the first real pixel (padding never wins)
        T best = xp[at];
        for (std::int64_t h = h0; h < h1; ++h)
          for (std::int64_t v = w0; v < w1; ++v) {
            take_if_beats(xp[h * p.W + v], h * p.W + v, best, at);
          }
        yp[oh * p.OW + ow] = best;
        ip[oh * p.OW + ow] = at;
      }
    }
  });
}

template <typename T>
void max_pool2d_backward(const Pool2dParams& p, const T* gy, const std::int64_t* indices, T* gx) {
  for_each_plane(p, p.in_plane(), [&](std::int64_t q) {
    T* gxp = gx + q * p.in_plane();
    const T* gyp = gy + q * p.out_plane();
    const std::int64_t* ip = indices + q * p.out_plane();
    std::fill(gxp, gxp + p.in_plane(), T(0));
    for (std::int64_t o = 0; o < p.out_plane(); ++o) gxp[ip[o]] += gyp[o];
  });
}

template <typename T>
void max_pool2d_gather(const Pool2dParams& p, const T* in, const std::int64_t* indices, T* out) {
  for_each_plane(p, p.in_plane(), [&](std::int64_t q) {
    const T* inp = in + q * p.in_plane();
    T* op = out + q * p.out_plane();
    const std::int64_t* ip = indices + q * p.out_plane();
    for (std::int64_t o = 0; o < p.out_plane(); ++o) op[o] = inp[ip[o]];
  });
}

namespace {

template <typename T, typename WindowOf>
void average_forward(const Pool2dParams& p, const T* x, T* y, WindowOf&& window_of) {
  for_each_plane(p, p.in_plane(), [&](std::int64_t q) {
    const T* xp = x + q * p.in_plane();
    T* yp = y + q * p.out_plane();
    for (std::int64_t oh = 0; oh < p.OH; ++oh)
      for (std::int64_t ow = 0; ow < p.OW; ++ow) {
        const Window win = window_of(oh, ow);
        T acc = 0;
        for (std::int64_t h = win.h0; h < win.h1; ++h)
          for (std::int64_t v = win.w0; v < win.w1; ++v) acc += xp[h * p.W + v];
        yp[oh * p.OW + ow] = acc / static_cast<T>(win.divisor);
      }
  });
}

template <typename T, typename WindowOf>
void average_backward(const Pool2dParams& p, const T* gy, T* gx, WindowOf&& window_of) {
  for_each_plane(p, p.in_plane(), [&](std::int64_t q) {
    T* gxp = gx + q * p.in_plane();
    const T* gyp = gy + q * p.out_plane();
    std::fill(gxp, gxp + p.in_plane(), T(0));
    for (std::int64_t oh = 0; oh < p.OH; ++oh)
      for (std::int64_t ow = 0; ow < p.OW; ++ow) {
        const Window win = window_of(oh, ow);
        const T share = gyp[oh * p.OW + ow] / static_cast<T>(win.divisor);
        for (std::int64_t h = win.h0; h < win.h1; ++h)
          for (std::int64_t v = win.w0; v < win.w1; ++v) gxp[h * p.W + v] += share;
      }
  });
}

}  // namespace

template <typename T>
void avg_pool2d_forward(const Pool2dParams& p, const T* x, T* y) {
  average_forward(p, x, y, [&](std::int64_t oh, std::int64_t ow) { return avg_window(p, oh, ow); });
}
template <typename T>
void avg_pool2d_backward(const Pool2dParams& p, const T* gy, T* gx) {
  average_backward(p, gy, gx, [&](std::int64_t oh, std::int64_t ow) { return avg_window(p, oh, ow); });
}
template <typename T>
void adaptive_avg_pool2d_forward(const Pool2dParams& p, const T* x, T* y) {
  average_forward(p, x, y, [&](std::int64_t oh, std::int64_t ow) { return adaptive_window(p, oh, ow); });
}
template <typename T>
void adaptive_avg_pool2d_backward(const Pool2dParams& p, const T* gy, T* gx) {
  average_backward(p, gy, gx, [&](std::int64_t oh, std::int64_t ow) { return adaptive_window(p, oh, ow); });
}

#define ADVGRAD_POOL_INSTANTIATE(T)                                                             \
  template void max_pool2d_forward<T>(const Pool2dParams&, const T*, T*, std::int64_t*);        \
  template void max_pool2d_backward<T>(const Pool2dParams&, const T*, const std::int64_t*, T*); \
  template void max_pool2d_gather<T>(const Pool2dParams&, const T*, const std::int64_t*, T*);   \
  template void avg_pool2d_forward<T>(const Pool2dParams&, const T*, T*);                       \
  template void avg_pool2d_backward<T>(const Pool2dParams&, const T*, T*);                      \
  template void adaptive_avg_pool2d_forward<T>(const Pool2dParams&, const T*, T*);              \
  template void adaptive_avg_pool2d_backward<T>(const Pool2dParams&, const T*, T*);
ADVGRAD_POOL_INSTANTIATE(float)
ADVGRAD_POOL_INSTANTIATE(double)
#undef ADVGRAD_POOL_INSTANTIATE

}  // namespace advgrad::kernels::cpu
