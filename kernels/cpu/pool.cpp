#include "kernels/cpu/pool.h"

#include <algorithm>

#include "kernels/cpu/parallel.h"

namespace advgrad::kernels::cpu {

namespace {

// Planes per task: enough work to be worth a thread hand-off.
std::int64_t plane_grain(std::int64_t plane_elems) { return std::max<std::int64_t>(1, 4096 / std::max<std::int64_t>(plane_elems, 1)); }

template <typename Body>
void for_each_plane(const Pool2dParams& p, std::int64_t plane_elems, Body&& body) {
  parallel_for(0, p.planes(), plane_grain(plane_elems), [&](std::int64_t q0, std::int64_t q1) {
    for (std::int64_t q = q0; q < q1; ++q) body(q);
  });
}

// "cand replaces cur" under the documented rule: strictly greater, or the first NaN.
template <typename T>
inline bool beats(T cand, T cur) {
  return cand > cur || (cand != cand && cur == cur);
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

// The common 2x2, stride-2, unpadded case: four loads, first max in row-major order.
template <typename T>
void max_pool_2x2(const Pool2dParams& p, const T* xp, T* yp, std::int64_t* ip) {
  for (std::int64_t oh = 0; oh < p.OH; ++oh) {
    const T* r0 = xp + 2 * oh * p.W;
    const T* r1 = r0 + p.W;
    for (std::int64_t ow = 0; ow < p.OW; ++ow) {
      const std::int64_t k = 2 * oh * p.W + 2 * ow;
      T best = r0[2 * ow];
      std::int64_t at = k;
      if (beats(r0[2 * ow + 1], best)) best = r0[2 * ow + 1], at = k + 1;
      if (beats(r1[2 * ow], best)) best = r1[2 * ow], at = k + p.W;
      if (beats(r1[2 * ow + 1], best)) best = r1[2 * ow + 1], at = k + p.W + 1;
      yp[oh * p.OW + ow] = best;
      ip[oh * p.OW + ow] = at;
    }
  }
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
    if (simple_2x2) return max_pool_2x2(p, xp, yp, ip);
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
            const T cand = xp[h * p.W + v];
            if (beats(cand, best)) best = cand, at = h * p.W + v;
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
