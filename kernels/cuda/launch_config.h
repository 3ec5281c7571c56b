#pragma once
// Launch-shape helpers shared by the .cu files (device-independent arithmetic).
#include <cstdint>

#include "kernels/cuda/namespace.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

// Threads per block of the one-thread-per-element kernels.
constexpr int kElementwiseBlock = 256;
// Grid-stride loops cap the grid: enough blocks to fill an H200 (132 SMs x 16
// resident blocks of 256 threads) without launching one block per 256 elements
// of a huge tensor.
constexpr std::int64_t kMaxGridBlocks = 132 * 16;

inline unsigned int grid_for(std::int64_t n, int block = kElementwiseBlock) {
  std::int64_t blocks = (n + block - 1) / block;
  if (blocks < 1) blocks = 1;
  if (blocks > kMaxGridBlocks) blocks = kMaxGridBlocks;
  return static_cast<unsigned int>(blocks);
}

ADVGRAD_CUDA_NAMESPACE_END
