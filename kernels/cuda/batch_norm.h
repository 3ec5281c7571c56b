#pragma once
// Batch normalisation on the device over [N, C, S] (kernels/batch_norm_params.h),
// float and double, with the semantics of kernels/reference/batch_norm.h:
// biased per-channel statistics (one block per channel), normalise + affine,
// and the backward (null outputs / weight / bias allowed).
#include "advgrad/kernels/batch_norm_params.h"
#include "advgrad/kernels/cuda/namespace.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

template <typename T>
void batch_norm_stats(const BatchNormShape& shape, const T* x, T* mean, T* var);
template <typename T>
void batch_norm_forward(const BatchNormShape& shape, const T* x, const T* mean, const T* invstd, const T* weight,
                        const T* bias, T* y);
template <typename T>
void batch_norm_backward(const BatchNormShape& shape, bool batch_stats, const T* grad_y, const T* x, const T* mean,
                         const T* invstd, const T* weight, T* grad_x, T* grad_weight, T* grad_bias);

ADVGRAD_CUDA_NAMESPACE_END
