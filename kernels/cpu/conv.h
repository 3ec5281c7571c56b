#pragma once
// Fast CPU 2-D convolution (same contract and math as kernels/reference/conv.h).
//
// General path: im2col + GEMM (kernels/cpu/gemm.h) per image and group, the
// column matrix built in cache-sized tiles of output positions, threads over
// the batch (each thread runs its GEMMs single-threaded):
//   forward          y_g      = W_g (Og x K) * col_g (K x P)            K = Cg kh kw, P = OH OW
//   backward-input   dcol_g   = W_g^T * gy_g, then col2im adds dcol_g into gx
//   backward-weight  dW_g     = sum_n gy_g[n] * col_g[n]^T
// Forward in float on AVX-512 with Og a multiple of 32 and K >= 16 (e.g. the
// SmallCNN's conv2, Og 64, K 288) skips im2col and the GEMM: a direct
// ("implicit GEMM") kernel with the output channels on the vector lanes reads
// the taps straight from a zero-padded copy of the input planes, one tile of
// 6 positions x 64 channels (12 x 32) in 24 accumulators, the weights packed
// once per call; see kernels/cpu/conv_avx512.h. (The GEMM's 12 x 32 tile
// pads m = 64 to 72 and n = 196 to 224, and im2col costs ~10% on top.)
// Other ISAs, doubles, and other shapes take the im2col + GEMM path below.
// A 1x1, stride-1, unpadded convolution needs no im2col: col_g is x_g itself.
// A stride-1 convolution whose output is as wide as its input ("same"
// padding) builds each row of col_g as one shifted copy of an input plane
// (kernels/cpu/im2col.h). When K is small next to Og (first layers), the
// weight-gradient GEMM runs transposed (dW_g^T = col_g * gy_g^T) so that its
// wide side is Og.
// backward-weight sums over the batch deterministically: the batch is split into
// one contiguous chunk per thread, each chunk accumulates its own partial dW in
// image order, and the partials are added in chunk order (same bits for a given
// thread count).
//
// Depthwise path (groups == C, one input channel per group): direct loops over
// the kernel taps, threads over (image, channel) planes; backward-weight threads
// over output channels and sums each over the batch in order, so it does not
// even depend on the thread count. With AVX2 and groups == C == O (no channel
// multiplier: MobileNet, EfficientNet) the vectorised plane convolutions of
// kernels/cpu/conv_depthwise_avx2.h run instead; any kernel size, stride,
// padding and dilation.
#include "advgrad/kernels/conv_params.h"

namespace advgrad::kernels::cpu {

template <typename T>
void conv2d_forward(const Conv2dParams& p, const T* x, const T* w, const T* bias, T* y);
template <typename T>
void conv2d_backward_input(const Conv2dParams& p, const T* gy, const T* w, T* gx);
template <typename T>
void conv2d_backward_weight(const Conv2dParams& p, const T* x, const T* gy, T* gw);

// The general im2col + GEMM path alone, whatever the groups (benchmarks time
// the depthwise kernels against it).
template <typename T>
void gemm_conv2d_forward(const Conv2dParams& p, const T* x, const T* w, const T* bias, T* y);
template <typename T>
void gemm_conv2d_backward_input(const Conv2dParams& p, const T* gy, const T* w, T* gx);
template <typename T>
void gemm_conv2d_backward_weight(const Conv2dParams& p, const T* x, const T* gy, T* gw);

// The depthwise direct kernels (used by the above when is_depthwise(p)).
bool is_depthwise(const Conv2dParams& p);
template <typename T>
void depthwise_conv2d_forward(const Conv2dParams& p, const T* x, const T* w, const T* bias, T* y);
template <typename T>
void depthwise_conv2d_backward_input(const Conv2dParams& p, const T* gy, const T* w, T* gx);
template <typename T>
void depthwise_conv2d_backward_weight(const Conv2dParams& p, const T* x, const T* gy, T* gw);

}  // namespace advgrad::kernels::cpu
