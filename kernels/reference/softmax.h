#pragma once
// Reference softmax, log-softmax and softmax-cross-entropy gradient, one row at
// a time (rows: kernels/softmax_params.h). Sums accumulate in double for float.
#include <cstdint>

#include "advgrad/kernels/softmax_params.h"

namespace advgrad::kernels::reference {

// Operands: 0 = out, 1 = x. Stable form, m = max_i x_i:
//   softmax:     out_i = exp(x_i - m) / sum_j exp(x_j - m)
//   log_softmax: out_i = x_i - m - log(sum_j exp(x_j - m))
template <typename T>
void softmax(bool log, const RowLoop& loop, T* out, const T* x);

// Operands: 0 = grad_x, 1 = grad_y, 2 = y (the forward output).
//   softmax:     gx_i = y_i (g_i - sum_j g_j y_j)
//   log_softmax: gx_i = g_i - exp(y_i) sum_j g_j
template <typename T>
void softmax_backward(bool log, const RowLoop& loop, T* grad_x, const T* grad_y, const T* y);

// Operands: 0 = grad_logits, 1 = log_probs, 2 = grad_loss (one per row, dim
// stride 0), 3 = labels (int64, one per row). Formula in CrossEntropyParams.
template <typename T>
void cross_entropy_backward(const RowLoop& loop, const CrossEntropyParams& p, T* grad_logits, const T* log_probs,
                            const T* grad_loss, const std::int64_t* labels);

}  // namespace advgrad::kernels::reference
