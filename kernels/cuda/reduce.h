#pragma once
// Reductions over a ReduceLoop (kernels/loops.h), float and double: one block
// per output element, a shared-memory tree then a warp-shuffle finish.
// Semantics match kernels/reduce_ops.h: float sums accumulate in double, Max/Min
// propagate NaN, ArgMax/ArgMin return the first index among ties.
#include <cstdint>

#include "advgrad/kernels/cuda/namespace.h"
#include "advgrad/kernels/loops.h"
#include "advgrad/kernels/reduce_ops.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

template <typename T>
void reduce(ReduceOp op, const ReduceLoop& loop, T* out, const T* in);
template <typename T>
void arg_reduce(bool is_max, const ReduceLoop& loop, T* values, std::int64_t* indices, const T* in);

ADVGRAD_CUDA_NAMESPACE_END
