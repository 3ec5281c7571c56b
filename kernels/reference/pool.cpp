#include "advgrad/kernels/reference/pool.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "advgrad/kernels/reduce_ops.h"

namespace advgrad::kernels::reference {

namespace {

// The window of output (oh, ow) clipped to the padded input, and its divisor.
struct AvgWindow {
  std::int64_t h0, h1, w0, w1;  // clipped to the real input
  std::int64_t divisor;
};

AvgWindow avg_window(const Pool2dParams& p, std::int64_t oh, std::int64_t ow) {
  std::int64_t h0 = oh * p.stride_h - p.pad_h, w0 = ow * p.stride_w - p.pad_w;
  std::int64_t h1 = std::min(h0 + p.kh, p.H + p.pad_h), w1 = std::min(w0 + p.kw, p.W + p.pad_w);
  const std::int64_t padded_size = (h1 - h0) * (w1 - w0);
  h0 = std::max<std::int64_t>(h0, 0);
  w0 = std::max<std::int64_t>(w0, 0);
  h1 = std::min(h1, p.H);
  w1 = std::min(w1, p.W);
  return {h0, h1, w0, w1, p.count_include_pad ? padded_size : (h1 - h0) * (w1 - w0)};
}

}  // namespace

template <typename T>
void max_pool2d_forward(const Pool2dParams& p, const T* x, T* y, std::int64_t* indices) {
  for (std::int64_t nc = 0; nc < p.planes(); ++nc) {
    const T* plane = x + nc * p.in_plane();
    for (std::int64_t oh = 0; oh < p.OH; ++oh)
      for (std::int64_t ow = 0; ow < p.OW; ++ow) {
        std::int64_t best = -1;  // index of the running maximum; -1 = none yet
        for (std::int64_t i = 0; i < p.kh; ++i) {
          const std::int64_t h = oh * p.stride_h - p.pad_h + i;
          if (h < 0 || h >= p.H) continue;  // padding never wins
          for (std::int64_t j = 0; j < p.kw; ++j) {
            const std::int64_t v = ow * p.stride_w - p.pad_w + j;
            if (v < 0 || v >= p.W) continue;
            const std::int64_t k = h * p.W + v;
            const T cand = plane[k], cur = best < 0 ? cand : plane[best];
            // Strictly greater replaces, so ties keep the first; a NaN beats any number.
            if (best < 0 || cand > cur || (std::isnan(cand) && !std::isnan(cur))) best = k;
          }
        }
        const std::int64_t o = nc * p.out_plane() + oh * p.OW + ow;
        y[o] = plane[best];
        indices[o] = best;
      }
  }
}

template <typename T>
void max_pool2d_backward(const Pool2dParams& p, const T* gy, const std::int64_t* indices, T* gx) {
  std::fill(gx, gx + p.planes() * p.in_plane(), T(0));
  for (std::int64_t nc = 0; nc < p.planes(); ++nc)
    for (std::int64_t o = 0; o < p.out_plane(); ++o)
      gx[nc * p.in_plane() + indices[nc * p.out_plane() + o]] += gy[nc * p.out_plane() + o];
}

template <typename T>
void max_pool2d_gather(const Pool2dParams& p, const T* in, const std::int64_t* indices, T* out) {
  for (std::int64_t nc = 0; nc < p.planes(); ++nc)
    for (std::int64_t o = 0; o < p.out_plane(); ++o)
      out[nc * p.out_plane() + o] = in[nc * p.in_plane() + indices[nc * p.out_plane() + o]];
}

template <typename T>
void avg_pool2d_forward(const Pool2dParams& p, const T* x, T* y) {
  using Acc = typename acc_type<T>::type;
  for (std::int64_t nc = 0; nc < p.planes(); ++nc)
    for (std::int64_t oh = 0; oh < p.OH; ++oh)
      for (std::int64_t ow = 0; ow < p.OW; ++ow) {
        const AvgWindow win = avg_window(p, oh, ow);
        Acc acc = 0;
        for (std::int64_t h = win.h0; h < win.h1; ++h)
          for (std::int64_t v = win.w0; v < win.w1; ++v) acc += static_cast<Acc>(x[nc * p.in_plane() + h * p.W + v]);
        y[nc * p.out_plane() + oh * p.OW + ow] = static_cast<T>(acc / static_cast<Acc>(win.divisor));
      }
}

template <typename T>
void avg_pool2d_backward(const Pool2dParams& p, const T* gy, T* gx) {
  using Acc = typename acc_type<T>::type;
  // Accumulate each plane in Acc, then round once.
  std::vector<Acc> acc(static_cast<std::size_t>(p.in_plane()));
  for (std::int64_t nc = 0; nc < p.planes(); ++nc) {
    std::fill(acc.begin(), acc.end(), Acc(0));
    for (std::int64_t oh = 0; oh < p.OH; ++oh)
      for (std::int64_t ow = 0; ow < p.OW; ++ow) {
        const AvgWindow win = avg_window(p, oh, ow);
        const Acc share = static_cast<Acc>(gy[nc * p.out_plane() + oh * p.OW + ow]) / static_cast<Acc>(win.divisor);
        for (std::int64_t h = win.h0; h < win.h1; ++h)
          for (std::int64_t v = win.w0; v < win.w1; ++v) acc[h * p.W + v] += share;
      }
    for (std::int64_t k = 0; k < p.in_plane(); ++k) gx[nc * p.in_plane() + k] = static_cast<T>(acc[k]);
  }
}

template <typename T>
void adaptive_avg_pool2d_forward(const Pool2dParams& p, const T* x, T* y) {
  using Acc = typename acc_type<T>::type;
  for (std::int64_t nc = 0; nc < p.planes(); ++nc)
    for (std::int64_t oh = 0; oh < p.OH; ++oh) {
      const std::int64_t h0 = adaptive_start(oh, p.H, p.OH), h1 = adaptive_end(oh, p.H, p.OH);
      for (std::int64_t ow = 0; ow < p.OW; ++ow) {
        const std::int64_t w0 = adaptive_start(ow, p.W, p.OW), w1 = adaptive_end(ow, p.W, p.OW);
        Acc acc = 0;
        for (std::int64_t h = h0; h < h1; ++h)
          for (std::int64_t v = w0; v < w1; ++v) acc += static_cast<Acc>(x[nc * p.in_plane() + h * p.W + v]);
        y[nc * p.out_plane() + oh * p.OW + ow] = static_cast<T>(acc / static_cast<Acc>((h1 - h0) * (w1 - w0)));
      }
    }
}

template <typename T>
void adaptive_avg_pool2d_backward(const Pool2dParams& p, const T* gy, T* gx) {
  using Acc = typename acc_type<T>::type;
  std::vector<Acc> acc(static_cast<std::size_t>(p.in_plane()));
  for (std::int64_t nc = 0; nc < p.planes(); ++nc) {
    std::fill(acc.begin(), acc.end(), Acc(0));
    for (std::int64_t oh = 0; oh < p.OH; ++oh) {
      const std::int64_t h0 = adaptive_start(oh, p.H, p.OH), h1 = adaptive_end(oh, p.H, p.OH);
      for (std::int64_t ow = 0; ow < p.OW; ++ow) {
        const std::int64_t w0 = adaptive_start(ow, p.W, p.OW), w1 = adaptive_end(ow, p.W, p.OW);
        const Acc share =
            static_cast<Acc>(gy[nc * p.out_plane() + oh * p.OW + ow]) / static_cast<Acc>((h1 - h0) * (w1 - w0));
        for (std::int64_t h = h0; h < h1; ++h)
          for (std::int64_t v = w0; v < w1; ++v) acc[h * p.W + v] += share;
      }
    }
    for (std::int64_t k = 0; k < p.in_plane(); ++k) gx[nc * p.in_plane() + k] = static_cast<T>(acc[k]);
  }
}

#define ADVGRAD_POOL_INSTANTIATE(T)                                                                       \
  template void max_pool2d_forward<T>(const Pool2dParams&, const T*, T*, std::int64_t*);                  \
  template void max_pool2d_backward<T>(const Pool2dParams&, const T*, const std::int64_t*, T*);           \
  template void max_pool2d_gather<T>(const Pool2dParams&, const T*, const std::int64_t*, T*);             \
  template void avg_pool2d_forward<T>(const Pool2dParams&, const T*, T*);                                 \
  template void avg_pool2d_backward<T>(const Pool2dParams&, const T*, T*);                                \
  template void adaptive_avg_pool2d_forward<T>(const Pool2dParams&, const T*, T*);                        \
  template void adaptive_avg_pool2d_backward<T>(const Pool2dParams&, const T*, T*);
ADVGRAD_POOL_INSTANTIATE(float)
ADVGRAD_POOL_INSTANTIATE(double)
#undef ADVGRAD_POOL_INSTANTIATE

}  // namespace advgrad::kernels::reference
