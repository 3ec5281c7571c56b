#pragma once
// The two conv2d algorithms behind kernels/cuda/conv.h, one entry point per
// pass each; kernels/cuda/conv.cu picks between them. Internal to
// kernels/cuda/ (the .cu files): core/ calls conv.h only.
//
// Every entry point expects a non-empty output and writes all of it; the
// dispatcher skips empty outputs. Buffers are contiguous NCHW device memory.
#include "advgrad/kernels/conv_params.h"
#include "advgrad/kernels/cuda/namespace.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

// kernels/cuda/conv_direct.cu: one thread per output element, the loops of the
// formula, accumulating like the reference (in double for float).
template <typename T>
void conv2d_forward_direct(const Conv2dParams& p, const T* x, const T* w, const T* bias, T* y);
template <typename T>
void conv2d_backward_input_direct(const Conv2dParams& p, const T* gy, const T* w, T* gx);
template <typename T>
void conv2d_backward_weight_direct(const Conv2dParams& p, const T* x, const T* gy, T* gw);

// kernels/cuda/conv_implicit_gemm.cu: tiled GEMMs whose im2col operand is
// gathered into shared memory tile by tile, accumulating in T.
// implicit_gemm_supports(p) is false when a GEMM extent would not fit the
// kernels' 32-bit tile coordinates (about 2^31 rows or columns); the
// dispatcher then uses the direct kernels.
bool implicit_gemm_supports(const Conv2dParams& p);
template <typename T>
void conv2d_forward_implicit_gemm(const Conv2dParams& p, const T* x, const T* w, const T* bias, T* y);
template <typename T>
void conv2d_backward_input_implicit_gemm(const Conv2dParams& p, const T* gy, const T* w, T* gx);
template <typename T>
void conv2d_backward_weight_implicit_gemm(const Conv2dParams& p, const T* x, const T* gy, T* gw);

// kernels/cuda/conv_depthwise.cu: groups == C == O (one filter per channel).
// Forward and backward-input of such a convolution are the direct kernels
// (one thread per output element; with one channel per group their loops are
// just the taps); the weight gradient gets a block per weight element.
bool is_depthwise(const Conv2dParams& p);
template <typename T>
void conv2d_backward_weight_depthwise(const Conv2dParams& p, const T* x, const T* gy, T* gw);

ADVGRAD_CUDA_NAMESPACE_END
