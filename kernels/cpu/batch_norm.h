#pragma once
// Fast CPU batch normalisation kernels (same contract as
// kernels/reference/batch_norm.h). Statistics and gradient sums run over
// blocks of channels per thread, walking memory in order (for [N, C] that is
// along rows, for [N, C, H, W] along each contiguous H*W plane); the
// elementwise passes fold the per-channel constants into y = a x + b form.
#include "advgrad/kernels/batch_norm_params.h"

namespace advgrad::kernels::cpu {

template <typename T>
void batch_norm_stats(const BatchNormShape& shape, const T* x, T* mean, T* var);
template <typename T>
void batch_norm_forward(const BatchNormShape& shape, const T* x, const T* mean, const T* invstd, const T* weight,
                        const T* bias, T* y);
template <typename T>
void batch_norm_backward(const BatchNormShape& shape, bool batch_stats, const T* grad_y, const T* x, const T* mean,
                         const T* invstd, const T* weight, T* grad_x, T* grad_weight, T* grad_bias);

}  // namespace advgrad::kernels::cpu
