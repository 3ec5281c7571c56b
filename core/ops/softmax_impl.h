#pragma once
// Internal row-wise helpers shared by softmax.cpp and loss.cpp.
#include <initializer_list>

#include "advgrad/core/tensor.h"
#include "advgrad/kernels/softmax_params.h"

namespace advgrad::detail {

// Rows of `shape` along `dim`: every operand is read through its own strides,
// broadcast to `shape` (operand order as the kernel expects).
kernels::RowLoop make_row_loop(const Shape& shape, int dim, std::initializer_list<const Tensor*> operands,
                               const char* op);

// softmax / log_softmax of x along dim (dim already wrapped, x.dim() >= 1), no autograd.
Tensor softmax_kernel(const Tensor& x, int dim, bool log);

}  // namespace advgrad::detail
