#pragma once
// Reference elementwise and reduction kernels: plain loops that compute the
// offset of every element from scratch. Slow on purpose: they are the oracle
// every other implementation is tested against, and the lesson.
#include <cstdint>

#include "advgrad/kernels/elementwise_ops.h"
#include "advgrad/kernels/loops.h"
#include "advgrad/kernels/reduce_ops.h"

namespace advgrad::kernels::reference {

template <typename T>
void unary(UnaryOp op, const StridedLoop& loop, T* out, const T* in, const OpParams& p);
template <typename T>
void binary(BinaryOp op, const StridedLoop& loop, T* out, const T* a, const T* b, const OpParams& p);
template <typename T>
void where(const StridedLoop& loop, T* out, const T* cond, const T* a, const T* b);
// out[i] = static_cast<To>(in[i]) (operand 0 = out, operand 1 = in)
template <typename To, typename From>
void cast(const StridedLoop& loop, To* out, const From* in);
template <typename T>
void reduce(ReduceOp op, const ReduceLoop& loop, T* out, const T* in);
// Single reduced dim (loop.red_ndim == 1): values and first-occurrence indices.
template <typename T>
void arg_reduce(bool is_max, const ReduceLoop& loop, T* values, std::int64_t* indices, const T* in);

}  // namespace advgrad::kernels::reference
