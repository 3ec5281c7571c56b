#pragma once
// Cross-entropy against soft targets (a probability vector per example), the
// loss of distillation and of Noisy Student's soft pseudo-labels:
//
//   loss_i = - sum_k q_ik log softmax(z_i)_k = sum_k q_ik (logsumexp(z_i) - z_ik)
//
// With one-hot q it is the ordinary cross-entropy. Its gradient with respect
// to the logits is softmax(z_i) - q_i (for rows of q that sum to 1). It is
// composed of existing differentiable ops (log_softmax, mul, sum), so autograd
// derives that gradient and gradients of gradients; no new core op is needed.
#include "advgrad/core/ops/ops.h"
#include "advgrad/core/tensor.h"

namespace advgrad::nn {

// logits [N, K] and targets [N, K] (float32 or float64, same dtype). Mean
// (default) averages over N, Sum adds, None returns the [N] per-example losses.
// Throws advgrad::Error naming soft_cross_entropy on mismatched shapes.
Tensor soft_cross_entropy(const Tensor& logits, const Tensor& targets, Reduction reduction = Reduction::Mean);

}  // namespace advgrad::nn
