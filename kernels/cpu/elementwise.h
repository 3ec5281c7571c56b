#pragma once
// Fast CPU elementwise and reduction kernels: same contract as
// kernels/reference/elementwise.h, but dims are coalesced, the innermost dim
// runs as a tight (auto-vectorised) loop with a contiguous fast path, and the
// outer iterations are split across the thread pool.
#include <cstdint>

#include "advgrad/kernels/elementwise_ops.h"
#include "advgrad/kernels/loops.h"
#include "advgrad/kernels/reduce_ops.h"

namespace advgrad::kernels::cpu {

template <typename T>
void unary(UnaryOp op, const StridedLoop& loop, T* out, const T* in, const OpParams& p);
template <typename T>
void binary(BinaryOp op, const StridedLoop& loop, T* out, const T* a, const T* b, const OpParams& p);
template <typename T>
void where(const StridedLoop& loop, T* out, const T* cond, const T* a, const T* b);
template <typename To, typename From>
void cast(const StridedLoop& loop, To* out, const From* in);
template <typename T>
void reduce(ReduceOp op, const ReduceLoop& loop, T* out, const T* in);
template <typename T>
void arg_reduce(bool is_max, const ReduceLoop& loop, T* values, std::int64_t* indices, const T* in);

// Merges adjacent dims that are contiguous for every operand and drops size-1
// dims; the iteration order (row-major) is unchanged. Exposed for tests.
StridedLoop coalesce(const StridedLoop& loop, int operands);

}  // namespace advgrad::kernels::cpu
