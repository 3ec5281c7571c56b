#pragma once
// Launch-shape helpers shared by the .cu files.
#include <cstdint>

#include "advgrad/kernels/cuda/namespace.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

// Threads per block of the one-thread-per-element kernels.
constexpr int kElementwiseBlock = 256;
// Grid-stride loops cap the grid: two waves of an H200 (132 SMs x 8 resident
// blocks of 256 threads, 2048 threads per SM) rather than one block per 256
// elements of a huge tensor.
constexpr std::int64_t kMaxGridBlocks = 132 * 16;

inline unsigned int grid_for(std::int64_t n, int block = kElementwiseBlock) {
  std::int64_t blocks = (n + block - 1) / block;
  if (blocks < 1) blocks = 1;
  if (blocks > kMaxGridBlocks) blocks = kMaxGridBlocks;
  return static_cast<unsigned int>(blocks);
}

// A thread's first element and the stride of a 1-d grid-stride loop, in int64:
// a tensor on a GPU may have more than 2^31 elements. (.cu files only.)
__device__ __forceinline__ std::int64_t first_index() {
  return static_cast<std::int64_t>(blockIdx.x) * static_cast<std::int64_t>(blockDim.x) +
         static_cast<std::int64_t>(threadIdx.x);
}
__device__ __forceinline__ std::int64_t grid_stride() {
  return static_cast<std::int64_t>(blockDim.x) * static_cast<std::int64_t>(gridDim.x);
}

ADVGRAD_CUDA_NAMESPACE_END
