#pragma once
// Fast CPU softmax, log-softmax and softmax-cross-entropy gradient (same
// contract as kernels/reference/softmax.h). Rows are split across threads.
// Three layouts:
//   - the row dim is contiguous (softmax over the last dim): tight loops;
//   - the row dim is strided but neighbouring rows are adjacent in memory
//     (softmax over the channels of NCHW): a tile of up to 64 rows is
//     processed together, so every pass walks memory contiguously;
//   - anything else: strided loops.
#include <cstdint>

#include "advgrad/kernels/softmax_params.h"

namespace advgrad::kernels::cpu {

template <typename T>
void softmax(bool log, const RowLoop& loop, T* out, const T* x);
template <typename T>
void softmax_backward(bool log, const RowLoop& loop, T* grad_x, const T* grad_y, const T* y);
template <typename T>
void cross_entropy_backward(const RowLoop& loop, const CrossEntropyParams& p, T* grad_logits, const T* log_probs,
                            const T* grad_loss, const std::int64_t* labels);

}  // namespace advgrad::kernels::cpu
