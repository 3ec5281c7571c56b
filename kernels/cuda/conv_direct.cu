// The direct conv2d kernels: the readable version. Each pass gives one thread
// to each element of its output and runs the loops of the formula for it, in
// the order of kernels/reference/conv.cpp and accumulating like it (in double
// for float), so a thread's result is the reference's up to the contraction of
// multiply-adds. No shared memory, no atomics: every output element is
// written by exactly one thread, so the results are the same bits every run.
//
// With g = o / Og, Og = O/groups, Cg = C/groups, and x outside the image
// reading as 0 (kernels/conv_params.h):
//   forward:         y[n,o,oh,ow] = b[o] + sum_{c<Cg, i<kh, j<kw} w[o,c,i,j]
//                                   x[n, g Cg + c, oh sh - ph + i dh, ow sw - pw + j dw]
//   backward-input:  gx[n, g Cg + c, h, v] = sum_{o in group g, i, j} gy[n, o, oh, ow] w[o, c, i, j]
//                    over the taps whose output position oh = (h + ph - i dh) / sh, ow = (v + pw - j dw) / sw
//                    divides exactly and lies inside the output (the gather form of the adjoint: no scatter)
//   backward-weight: gw[o,c,i,j] = sum_{n, oh, ow} gy[n,o,oh,ow] x[n, g Cg + c, oh sh - ph + i dh, ow sw - pw + j dw]
//
// Threads: grid-stride loops over the flat output index (NCHW order), so
// consecutive threads own consecutive ow (or j) and their loads of x, gy and
// w are coalesced or broadcast. The backward-weight pass has only O Cg kh kw
// threads, each looping over N OH OW products — few threads, long loops: that
// is what the implicit GEMM's split reduction is for.
#include "advgrad/kernels/cuda/conv_algorithms.h"

#if defined(__CUDACC__)
#include <cuda_runtime.h>
#endif

#include <cstdint>

#include "advgrad/kernels/cuda/launch.h"
#include "advgrad/kernels/cuda/launch_config.h"
#include "advgrad/kernels/cuda/runtime.h"
#include "advgrad/kernels/reduce_ops.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

namespace {

using Index = std::int64_t;


template <typename T>
__global__ void conv2d_forward_direct_kernel(Conv2dParams p, const T* __restrict__ x, const T* __restrict__ w,
                                             const T* __restrict__ bias, T* __restrict__ y) {
  using Acc = typename acc_type<T>::type;
  const Index Cg = p.C / p.groups, Og = p.O / p.groups;
  const Index total = p.N * p.O * p.OH * p.OW;
  for (Index e = first_index(); e < total; e += grid_stride()) {
    const Index ow = e % p.OW, oh = e / p.OW % p.OH, o = e / (p.OW * p.OH) % p.O, n = e / (p.OW * p.OH * p.O);
    const Index g = o / Og;
    const T* xg = x + (n * p.C + g * Cg) * p.H * p.W;  // the group's input channels of image n
    const T* wo = w + o * Cg * p.kh * p.kw;            // filter o
    Acc acc = bias != nullptr ? static_cast<Acc>(bias[o]) : Acc(0);
    for (Index c = 0; c < Cg; ++c)
      for (Index i = 0; i < p.kh; ++i) {
        const Index h = oh * p.stride_h - p.pad_h + i * p.dilation_h;
        if (h < 0 || h >= p.H) continue;  // zero padding
        for (Index j = 0; j < p.kw; ++j) {
          const Index v = ow * p.stride_w - p.pad_w + j * p.dilation_w;
          if (v < 0 || v >= p.W) continue;
          acc += static_cast<Acc>(xg[(c * p.H + h) * p.W + v]) * static_cast<Acc>(wo[(c * p.kh + i) * p.kw + j]);
        }
      }
    y[e] = static_cast<T>(acc);
  }
}

// One thread per gx element; it visits (o, i, j) in the reference's order and
// keeps the taps that reach it (exact division by the stride, inside the output).
template <typename T>
__global__ void conv2d_backward_input_direct_kernel(Conv2dParams p, const T* __restrict__ gy, const T* __restrict__ w,
                                                    T* __restrict__ gx) {
  using Acc = typename acc_type<T>::type;
  const Index Cg = p.C / p.groups, Og = p.O / p.groups;
  const Index total = p.N * p.C * p.H * p.W;
  for (Index e = first_index(); e < total; e += grid_stride()) {
    const Index v = e % p.W, h = e / p.W % p.H, ci = e / (p.W * p.H) % p.C, n = e / (p.W * p.H * p.C);
    const Index g = ci / Cg, c = ci % Cg;
    Acc acc = 0;
    for (Index o = g * Og; o < (g + 1) * Og; ++o) {
      const T* gyo = gy + (n * p.O + o) * p.OH * p.OW;
      const T* woc = w + (o * Cg + c) * p.kh * p.kw;
      for (Index i = 0; i < p.kh; ++i) {
        const Index th = h + p.pad_h - i * p.dilation_h;
        if (th < 0 || th % p.stride_h != 0 || th / p.stride_h >= p.OH) continue;
        const Index oh = th / p.stride_h;
        for (Index j = 0; j < p.kw; ++j) {
          const Index tw = v + p.pad_w - j * p.dilation_w;
          if (tw < 0 || tw % p.stride_w != 0 || tw / p.stride_w >= p.OW) continue;
          const Index ow = tw / p.stride_w;
          acc += static_cast<Acc>(gyo[oh * p.OW + ow]) * static_cast<Acc>(woc[i * p.kw + j]);
        }
      }
    }
    gx[e] = static_cast<T>(acc);
  }
}

// One thread per gw element, summing over the whole batch and output plane.
template <typename T>
__global__ void conv2d_backward_weight_direct_kernel(Conv2dParams p, const T* __restrict__ x, const T* __restrict__ gy,
                                                     T* __restrict__ gw) {
  using Acc = typename acc_type<T>::type;
  const Index Cg = p.C / p.groups, Og = p.O / p.groups;
  const Index total = p.O * Cg * p.kh * p.kw;
  for (Index e = first_index(); e < total; e += grid_stride()) {
    const Index j = e % p.kw, i = e / p.kw % p.kh, c = e / (p.kw * p.kh) % Cg, o = e / (p.kw * p.kh * Cg);
    const Index g = o / Og;
    Acc acc = 0;
    for (Index n = 0; n < p.N; ++n) {
      const T* xc = x + (n * p.C + g * Cg + c) * p.H * p.W;
      const T* gyo = gy + (n * p.O + o) * p.OH * p.OW;
      for (Index oh = 0; oh < p.OH; ++oh) {
        const Index h = oh * p.stride_h - p.pad_h + i * p.dilation_h;
        if (h < 0 || h >= p.H) continue;
        for (Index ow = 0; ow < p.OW; ++ow) {
          const Index v = ow * p.stride_w - p.pad_w + j * p.dilation_w;
          if (v < 0 || v >= p.W) continue;
          acc += static_cast<Acc>(gyo[oh * p.OW + ow]) * static_cast<Acc>(xc[h * p.W + v]);
        }
      }
    }
    gw[e] = static_cast<T>(acc);
  }
}

}  // namespace

template <typename T>
void conv2d_forward_direct(const Conv2dParams& p, const T* x, const T* w, const T* bias, T* y) {
  const Index total = p.N * p.O * p.OH * p.OW;
  ADVGRAD_LAUNCH(conv2d_forward_direct_kernel<T>, grid_for(total), kElementwiseBlock, 0, 0)(p, x, w, bias, y);
  check_launch("conv2d_forward_direct_kernel");
}

template <typename T>
void conv2d_backward_input_direct(const Conv2dParams& p, const T* gy, const T* w, T* gx) {
  const Index total = p.N * p.C * p.H * p.W;
  ADVGRAD_LAUNCH(conv2d_backward_input_direct_kernel<T>, grid_for(total), kElementwiseBlock, 0, 0)(p, gy, w, gx);
  check_launch("conv2d_backward_input_direct_kernel");
}

template <typename T>
void conv2d_backward_weight_direct(const Conv2dParams& p, const T* x, const T* gy, T* gw) {
  const Index total = p.O * (p.C / p.groups) * p.kh * p.kw;
  ADVGRAD_LAUNCH(conv2d_backward_weight_direct_kernel<T>, grid_for(total), kElementwiseBlock, 0, 0)(p, x, gy, gw);
  check_launch("conv2d_backward_weight_direct_kernel");
}

#define ADVGRAD_CONV_DIRECT_INSTANTIATE(T)                                                       \
  template void conv2d_forward_direct<T>(const Conv2dParams&, const T*, const T*, const T*, T*); \
  template void conv2d_backward_input_direct<T>(const Conv2dParams&, const T*, const T*, T*);    \
  template void conv2d_backward_weight_direct<T>(const Conv2dParams&, const T*, const T*, T*);
ADVGRAD_CONV_DIRECT_INSTANTIATE(float)
ADVGRAD_CONV_DIRECT_INSTANTIATE(double)
#undef ADVGRAD_CONV_DIRECT_INSTANTIATE

ADVGRAD_CUDA_NAMESPACE_END
