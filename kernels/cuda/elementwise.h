#pragma once
// Elementwise CUDA kernels: the same iteration spaces (kernels/loops.h) and the
// same per-element math (kernels/elementwise_ops.h) as the CPU paths, one
// thread per output element in a grid-stride loop. Pointers are device memory;
// launches go to the default stream. Instantiated for:
//   unary, where, random_*: float, double;   binary, fill: float, double, int64;
//   cast: every pair of float, double, int64.
#include <cstdint>

#include "advgrad/kernels/cuda/namespace.h"
#include "advgrad/kernels/elementwise_ops.h"
#include "advgrad/kernels/loops.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

template <typename T>
void unary(UnaryOp op, const StridedLoop& loop, T* out, const T* in, const OpParams& p);
template <typename T>
void binary(BinaryOp op, const StridedLoop& loop, T* out, const T* a, const T* b, const OpParams& p);
template <typename T>
void where(const StridedLoop& loop, T* out, const T* cond, const T* a, const T* b);
template <typename To, typename From>
void cast(const StridedLoop& loop, To* out, const From* in);
template <typename T>
void fill(T* out, std::int64_t n, T value);

// Philox streams (kernels/random.h): the same numbers as the CPU backends for
// the same (seed, offset), so a seeded run draws identical noise on any device.
template <typename T>
void random_uniform(T* out, std::int64_t n, double lo, double hi, std::uint64_t seed, std::uint64_t offset);
template <typename T>
void random_normal(T* out, std::int64_t n, double mean, double stddev, std::uint64_t seed, std::uint64_t offset);

ADVGRAD_CUDA_NAMESPACE_END
