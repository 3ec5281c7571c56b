#pragma once
// Pooling on the device, float and double, contiguous NCHW buffers
// (kernels/conv_params.h; the max-pool tie rule is kernels/reference/pool.h's:
// the first maximum in window order). Backward passes are deterministic
// gathers: each input element sums the output gradients whose window (or
// argmax) is it, in a fixed order — no atomics, the same bits every run.
#include <cstdint>

#include "advgrad/kernels/conv_params.h"
#include "advgrad/kernels/cuda/namespace.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

template <typename T>
void max_pool2d_forward(const Pool2dParams& p, const T* x, T* y, std::int64_t* indices);
template <typename T>
void max_pool2d_backward(const Pool2dParams& p, const T* gy, const std::int64_t* indices, T* gx);
template <typename T>
void max_pool2d_gather(const Pool2dParams& p, const T* in, const std::int64_t* indices, T* out);
template <typename T>
void avg_pool2d_forward(const Pool2dParams& p, const T* x, T* y);
template <typename T>
void avg_pool2d_backward(const Pool2dParams& p, const T* gy, T* gx);
template <typename T>
void adaptive_avg_pool2d_forward(const Pool2dParams& p, const T* x, T* y);
template <typename T>
void adaptive_avg_pool2d_backward(const Pool2dParams& p, const T* gy, T* gx);

ADVGRAD_CUDA_NAMESPACE_END
