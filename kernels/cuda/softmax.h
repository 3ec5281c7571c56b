#pragma once
// Row-wise kernels on the device (kernels/softmax_params.h), float and double:
// softmax / log-softmax and their backward, and the fused softmax
// cross-entropy gradient. One warp per row: max, sum of exponentials and the
// normalisation in registers and shuffles.
#include <cstdint>

#include "advgrad/kernels/cuda/namespace.h"
#include "advgrad/kernels/softmax_params.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

template <typename T>
void softmax(bool log, const RowLoop& loop, T* out, const T* x);
template <typename T>
void softmax_backward(bool log, const RowLoop& loop, T* grad_x, const T* grad_y, const T* y);
template <typename T>
void cross_entropy_backward(const RowLoop& loop, const CrossEntropyParams& p, T* grad_logits, const T* log_probs,
                            const T* grad_loss, const std::int64_t* labels);

ADVGRAD_CUDA_NAMESPACE_END
