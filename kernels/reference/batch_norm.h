#pragma once
// Reference batch normalisation kernels over a contiguous [N, C, S] input
// (kernels/batch_norm_params.h); sums accumulate in double for float.
#include "advgrad/kernels/batch_norm_params.h"

namespace advgrad::kernels::reference {

// Biased batch statistics per channel, in two passes (stable):
//   mean_c = (1/M) sum_{n,s} x,   var_c = (1/M) sum_{n,s} (x - mean_c)^2
template <typename T>
void batch_norm_stats(const BatchNormShape& shape, const T* x, T* mean, T* var);

// y = (x - mean_c) invstd_c w_c + b_c; a null weight means 1, a null bias 0.
template <typename T>
void batch_norm_forward(const BatchNormShape& shape, const T* x, const T* mean, const T* invstd, const T* weight,
                        const T* bias, T* y);

// With xhat = (x - mean_c) invstd_c and sums over (n, s) per channel:
//   grad_bias_c   = sum g
//   grad_weight_c = sum g xhat
//   grad_x = w_c invstd_c (g - sum g / M - xhat sum(g xhat) / M)   (batch_stats: mean, var depend on x)
//   grad_x = w_c invstd_c g                                      (fixed running statistics)
// Null outputs are not computed.
template <typename T>
void batch_norm_backward(const BatchNormShape& shape, bool batch_stats, const T* grad_y, const T* x, const T* mean,
                         const T* invstd, const T* weight, T* grad_x, T* grad_weight, T* grad_bias);

}  // namespace advgrad::kernels::reference
