#pragma once
// Row-wise loops: softmax, log-softmax and the softmax-cross-entropy gradient
// reduce or normalise along one dim (the "row"), independently for every
// position of the other dims.
#include <cstdint>

#include "advgrad/kernels/loops.h"

namespace advgrad::kernels {

// `rows` iterates over every dim but the row dim; operand k's row r starts at
// ptr_k + (r's offset under rows.strides[k]) and holds `n` elements that are
// dim_strides[k] apart. Operand order is given by each kernel.
struct RowLoop {
  StridedLoop rows;
  std::int64_t n = 0;
  std::int64_t dim_strides[kMaxOperands] = {};
};

// Cross-entropy with label smoothing s over C classes, per row r with label y_r:
//   loss_r = (1 - s) * (-lp[y_r]) + s * mean_c(-lp[c]),   lp = log_softmax(logits)
// Its gradient w.r.t. the logits, given dL/dloss_r = scale * g_r:
//   dlogits[c] = scale * g_r * (softmax[c] - (1 - s) [c == y_r] - s / C)
struct CrossEntropyParams {
  double smoothing = 0.0;
  double scale = 1.0;  // 1/rows for a mean reduction
};

}  // namespace advgrad::kernels
