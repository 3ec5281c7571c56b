// Pooling on the device (kernels/cuda/pool.h): one thread per output element
// of each pass, grid-stride over the flat NCHW index, so consecutive threads
// own neighbouring pixels of one plane. Semantics are kernels/reference/pool.cpp's:
//
//   max forward:  y = the window's maximum, index = h W + v of its FIRST maximum
//                 in row-major window order (strictly greater replaces; a NaN
//                 beats any number and the first NaN is kept); padding never wins.
//   max backward: gx[p] = sum of gy[o] over the outputs o of p's plane with
//                 index[o] == p. The reference scatters in increasing o; here each
//                 gx element gathers the outputs whose window contains it, in
//                 increasing (oh, ow) — the same additions in the same order, in T,
//                 so the same bits, with no atomics.
//   gather:       out[o] = in[index[o]] (the adjoint of the backward).
//   avg forward:  y = (1/d) sum of the window clipped to the input (d: the window
//                 clipped to the padded input when count_include_pad, else the
//                 real pixels), accumulated like the reference (double for float).
//   avg backward: gx[p] = sum over the windows containing p, in increasing (oh, ow),
//                 of gy / d (the reference's per-element order: same bits).
//   adaptive:     window of output i along an axis = [floor(i in / out), ceil((i + 1) in / out));
//                 forward and backward as for avg (d = the window's size).
//
// The gathers compute the range of outputs whose (unclipped) window can contain
// an input pixel and check membership exactly; for a pixel inside the input,
// lying in the unclipped window is the same as lying in the clipped one.
#include "advgrad/kernels/cuda/pool.h"

#if defined(__CUDACC__)
#include <cuda_runtime.h>
#endif

#include "advgrad/kernels/cuda/launch.h"
#include "advgrad/kernels/cuda/launch_config.h"
#include "advgrad/kernels/cuda/runtime.h"
#include "advgrad/kernels/reduce_ops.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

namespace {

using Index = std::int64_t;

__device__ __forceinline__ Index imax(Index a, Index b) { return a > b ? a : b; }
__device__ __forceinline__ Index imin(Index a, Index b) { return a < b ? a : b; }
// floor(a / b) for b > 0 and any a (C++ division truncates toward zero).
__device__ __forceinline__ Index floor_div(Index a, Index b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// The outputs along one axis whose window [o s - pad, o s - pad + k) contains
// position x: o in [ceil((x + pad - k + 1) / s), floor((x + pad) / s)], clipped to [0, out).
struct OutRange {
  Index first, last;  // inclusive; empty when first > last
};
__device__ __forceinline__ OutRange windows_containing(Index x, Index k, Index s, Index pad, Index out) {
  const Index lo = floor_div(x + pad - k, s) + 1;  // ceil((x + pad - k + 1) / s)
  const Index hi = floor_div(x + pad, s);
  return {imax(lo, 0), imin(hi, out - 1)};
}

template <typename T>
__global__ void max_pool2d_forward_kernel(Pool2dParams p, const T* __restrict__ x, T* __restrict__ y,
                                          std::int64_t* __restrict__ indices) {
  const Index total = p.N * p.C * p.OH * p.OW;
  for (Index e = first_index(); e < total; e += grid_stride()) {
    const Index ow = e % p.OW, oh = e / p.OW % p.OH, nc = e / (p.OW * p.OH);
    const T* plane = x + nc * p.H * p.W;
    Index best = -1;  // index of the running maximum; -1 = none yet
    T best_value = T(0);
    for (Index i = 0; i < p.kh; ++i) {
      const Index h = oh * p.stride_h - p.pad_h + i;
      if (h < 0 || h >= p.H) continue;  // padding never wins
      for (Index j = 0; j < p.kw; ++j) {
        const Index v = ow * p.stride_w - p.pad_w + j;
        if (v < 0 || v >= p.W) continue;
        const Index k = h * p.W + v;
        const T cand = plane[k];
        // Strictly greater replaces, so ties keep the first; a NaN (x != x) beats any number.
        if (best < 0 || cand > best_value || (cand != cand && best_value == best_value)) {
          best = k;
          best_value = cand;
        }
      }
    }
    // The op guarantees every window holds a real pixel (padding <= kernel / 2).
    y[e] = best_value;
    indices[e] = best;
  }
}

template <typename T>
__global__ void max_pool2d_backward_kernel(Pool2dParams p, const T* __restrict__ gy,
                                           const std::int64_t* __restrict__ indices, T* __restrict__ gx) {
  const Index total = p.N * p.C * p.H * p.W;
  for (Index e = first_index(); e < total; e += grid_stride()) {
    const Index v = e % p.W, h = e / p.W % p.H, nc = e / (p.W * p.H);
    const Index self = h * p.W + v;
    const OutRange rows = windows_containing(h, p.kh, p.stride_h, p.pad_h, p.OH);
    const OutRange cols = windows_containing(v, p.kw, p.stride_w, p.pad_w, p.OW);
    const Index base = nc * p.OH * p.OW;
    T sum = T(0);
    for (Index oh = rows.first; oh <= rows.last; ++oh)
      for (Index ow = cols.first; ow <= cols.last; ++ow) {
        const Index o = base + oh * p.OW + ow;
        if (indices[o] == self) sum += gy[o];
      }
    gx[e] = sum;
  }
}

template <typename T>
__global__ void max_pool2d_gather_kernel(Pool2dParams p, const T* __restrict__ in,
                                         const std::int64_t* __restrict__ indices, T* __restrict__ out) {
  const Index total = p.N * p.C * p.OH * p.OW;
  for (Index e = first_index(); e < total; e += grid_stride())
    out[e] = in[e / (p.OH * p.OW) * (p.H * p.W) + indices[e]];
}

// The window of output (oh, ow) clipped to the input, and its divisor
// (reference: avg_window in kernels/reference/pool.cpp).
struct AvgWindow {
  Index h0, h1, w0, w1, divisor;
};
__device__ __forceinline__ AvgWindow avg_window(const Pool2dParams& p, Index oh, Index ow) {
  Index h0 = oh * p.stride_h - p.pad_h, w0 = ow * p.stride_w - p.pad_w;
  Index h1 = imin(h0 + p.kh, p.H + p.pad_h), w1 = imin(w0 + p.kw, p.W + p.pad_w);
  const Index padded_size = (h1 - h0) * (w1 - w0);
  h0 = imax(h0, 0);
  w0 = imax(w0, 0);
  h1 = imin(h1, p.H);
  w1 = imin(w1, p.W);
  return {h0, h1, w0, w1, p.count_include_pad ? padded_size : (h1 - h0) * (w1 - w0)};
}

// sum of plane[h, v] over rows [h0, h1) and columns [w0, w1) of a plane W
// wide, row by row in Acc (the reference's order).
template <typename Acc, typename T>
__device__ __forceinline__ Acc window_sum(const T* plane, Index W, Index h0, Index h1, Index w0, Index w1) {
  Acc acc = 0;
  for (Index h = h0; h < h1; ++h)
    for (Index v = w0; v < w1; ++v) acc += static_cast<Acc>(plane[h * W + v]);
  return acc;
}

template <typename T>
__global__ void avg_pool2d_forward_kernel(Pool2dParams p, const T* __restrict__ x, T* __restrict__ y) {
  using Acc = typename acc_type<T>::type;
  const Index total = p.N * p.C * p.OH * p.OW;
  for (Index e = first_index(); e < total; e += grid_stride()) {
    const Index ow = e % p.OW, oh = e / p.OW % p.OH, nc = e / (p.OW * p.OH);
    const T* plane = x + nc * p.H * p.W;
    const AvgWindow win = avg_window(p, oh, ow);
    const Acc acc = window_sum<Acc>(plane, p.W, win.h0, win.h1, win.w0, win.w1);
    y[e] = static_cast<T>(acc / static_cast<Acc>(win.divisor));
  }
}

template <typename T>
__global__ void avg_pool2d_backward_kernel(Pool2dParams p, const T* __restrict__ gy, T* __restrict__ gx) {
  using Acc = typename acc_type<T>::type;
  const Index total = p.N * p.C * p.H * p.W;
  for (Index e = first_index(); e < total; e += grid_stride()) {
    const Index v = e % p.W, h = e / p.W % p.H, nc = e / (p.W * p.H);
    const OutRange rows = windows_containing(h, p.kh, p.stride_h, p.pad_h, p.OH);
    const OutRange cols = windows_containing(v, p.kw, p.stride_w, p.pad_w, p.OW);
    const T* gy_plane = gy + nc * p.OH * p.OW;
    Acc acc = 0;
    for (Index oh = rows.first; oh <= rows.last; ++oh)
      for (Index ow = cols.first; ow <= cols.last; ++ow) {
        const AvgWindow win = avg_window(p, oh, ow);
        acc += static_cast<Acc>(gy_plane[oh * p.OW + ow]) / static_cast<Acc>(win.divisor);
      }
    gx[e] = static_cast<T>(acc);
  }
}

template <typename T>
__global__ void adaptive_avg_pool2d_forward_kernel(Pool2dParams p, const T* __restrict__ x, T* __restrict__ y) {
  using Acc = typename acc_type<T>::type;
  const Index total = p.N * p.C * p.OH * p.OW;
  for (Index e = first_index(); e < total; e += grid_stride()) {
    const Index ow = e % p.OW, oh = e / p.OW % p.OH, nc = e / (p.OW * p.OH);
    const T* plane = x + nc * p.H * p.W;
    const Index h0 = adaptive_start(oh, p.H, p.OH), h1 = adaptive_end(oh, p.H, p.OH);
    const Index w0 = adaptive_start(ow, p.W, p.OW), w1 = adaptive_end(ow, p.W, p.OW);
    const Acc acc = window_sum<Acc>(plane, p.W, h0, h1, w0, w1);
    y[e] = static_cast<T>(acc / static_cast<Acc>((h1 - h0) * (w1 - w0)));
  }
}

// Adaptive windows containing x along one axis: the first is floor(x out / in)
// (the first window ending after x), the last ceil((x + 1) out / in) - 1 (the
// last starting at or before x); membership is checked exactly anyway.
__device__ __forceinline__ OutRange adaptive_windows_containing(Index x, Index in, Index out) {
  return {x * out / in, imin((x + 1) * out / in + ((x + 1) * out % in != 0 ? 1 : 0) - 1, out - 1)};
}

template <typename T>
__global__ void adaptive_avg_pool2d_backward_kernel(Pool2dParams p, const T* __restrict__ gy, T* __restrict__ gx) {
  using Acc = typename acc_type<T>::type;
  const Index total = p.N * p.C * p.H * p.W;
  for (Index e = first_index(); e < total; e += grid_stride()) {
    const Index v = e % p.W, h = e / p.W % p.H, nc = e / (p.W * p.H);
    const OutRange rows = adaptive_windows_containing(h, p.H, p.OH);
    const OutRange cols = adaptive_windows_containing(v, p.W, p.OW);
    const T* gy_plane = gy + nc * p.OH * p.OW;
    Acc acc = 0;
    for (Index oh = rows.first; oh <= rows.last; ++oh) {
      const Index h0 = adaptive_start(oh, p.H, p.OH), h1 = adaptive_end(oh, p.H, p.OH);
      if (h < h0 || h >= h1) continue;
      for (Index ow = cols.first; ow <= cols.last; ++ow) {
        const Index w0 = adaptive_start(ow, p.W, p.OW), w1 = adaptive_end(ow, p.W, p.OW);
        if (v < w0 || v >= w1) continue;
        acc += static_cast<Acc>(gy_plane[oh * p.OW + ow]) / static_cast<Acc>((h1 - h0) * (w1 - w0));
      }
    }
    gx[e] = static_cast<T>(acc);
  }
}

// Launches `kernel` with one thread per element of `total` (nothing when empty).
#define ADVGRAD_POOL_LAUNCH(kernel, total, ...)                                              \
  do {                                                                                       \
    const Index advgrad_total = (total);                                                     \
    if (advgrad_total > 0) {                                                                 \
      ADVGRAD_LAUNCH(kernel, grid_for(advgrad_total), kElementwiseBlock, 0, 0)(__VA_ARGS__); \
      check_launch(#kernel);                                                                 \
    }                                                                                        \
  } while (false)

}  // namespace

template <typename T>
void max_pool2d_forward(const Pool2dParams& p, const T* x, T* y, std::int64_t* indices) {
  ADVGRAD_POOL_LAUNCH(max_pool2d_forward_kernel<T>, p.planes() * p.out_plane(), p, x, y, indices);
}
template <typename T>
void max_pool2d_backward(const Pool2dParams& p, const T* gy, const std::int64_t* indices, T* gx) {
  ADVGRAD_POOL_LAUNCH(max_pool2d_backward_kernel<T>, p.planes() * p.in_plane(), p, gy, indices, gx);
}
template <typename T>
void max_pool2d_gather(const Pool2dParams& p, const T* in, const std::int64_t* indices, T* out) {
  ADVGRAD_POOL_LAUNCH(max_pool2d_gather_kernel<T>, p.planes() * p.out_plane(), p, in, indices, out);
}
template <typename T>
void avg_pool2d_forward(const Pool2dParams& p, const T* x, T* y) {
  ADVGRAD_POOL_LAUNCH(avg_pool2d_forward_kernel<T>, p.planes() * p.out_plane(), p, x, y);
}
template <typename T>
void avg_pool2d_backward(const Pool2dParams& p, const T* gy, T* gx) {
  ADVGRAD_POOL_LAUNCH(avg_pool2d_backward_kernel<T>, p.planes() * p.in_plane(), p, gy, gx);
}
template <typename T>
void adaptive_avg_pool2d_forward(const Pool2dParams& p, const T* x, T* y) {
  ADVGRAD_POOL_LAUNCH(adaptive_avg_pool2d_forward_kernel<T>, p.planes() * p.out_plane(), p, x, y);
}
template <typename T>
void adaptive_avg_pool2d_backward(const Pool2dParams& p, const T* gy, T* gx) {
  ADVGRAD_POOL_LAUNCH(adaptive_avg_pool2d_backward_kernel<T>, p.planes() * p.in_plane(), p, gy, gx);
}

#undef ADVGRAD_POOL_LAUNCH

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

ADVGRAD_CUDA_NAMESPACE_END
