// Two block reductions of a sum, each run twice (per-block partials, then one
// block over the partials):
//  - tree: halve a dynamic-shared-memory array down to 64 values with a
//    barrier per step, then the first warp finishes with shuffles;
//  - warp: every warp reduces with shuffles, lane 0 stores its sum in shared
//    memory, and the first warp reduces those.
#include "advgrad/kernels/cuda/launch.h"
#include "simt/device_buffer.h"
#include "simt/test_kernels.h"

namespace simt_tests {

constexpr unsigned kFullMask = 0xffffffffu;

__device__ __forceinline__ float warp_sum(float v) {
  for (int offset = warpSize / 2; offset > 0; offset /= 2) v += __shfl_down_sync(kFullMask, v, offset);
  return v;
}

// blockDim.x: a power of two >= 64; shared memory: blockDim.x floats.
__global__ void tree_sum_kernel(const float* __restrict__ x, float* __restrict__ partial, int n) {
  ADVGRAD_DYNAMIC_SHARED(float, sdata);
  const int tid = threadIdx.x;
  float sum = 0.0f;
  for (int i = blockIdx.x * blockDim.x + tid; i < n; i += blockDim.x * gridDim.x) sum += x[i];
  sdata[tid] = sum;
  __syncthreads();
  for (int s = blockDim.x / 2; s >= warpSize; s /= 2) {
    if (tid < s) sdata[tid] += sdata[tid + s];
    __syncthreads();
  }
  if (tid < warpSize) {
    const float v = warp_sum(sdata[tid]);
    if (tid == 0) partial[blockIdx.x] = v;
  }
}

// blockDim.x: a multiple of 32, at most 1024.
__global__ void warp_sum_kernel(const float* __restrict__ x, float* __restrict__ partial, int n) {
  __shared__ float warp_sums[32];
  const int lane = threadIdx.x % warpSize;
  const int warp = threadIdx.x / warpSize;
  float sum = 0.0f;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) sum += x[i];
  sum = warp_sum(sum);
  if (lane == 0) warp_sums[warp] = sum;
  __syncthreads();
  if (warp == 0) {
    const int warps = blockDim.x / warpSize;
    const float v = warp_sum(lane < warps ? warp_sums[lane] : 0.0f);
    if (lane == 0) partial[blockIdx.x] = v;
  }
}

namespace {

template <class Launch>
float two_pass(const std::vector<float>& x, int grid, Launch launch) {
  DeviceBuffer<float> dx(x);
  DeviceBuffer<float> partial(grid);
  DeviceBuffer<float> total(1);
  launch(dx.get(), partial.get(), static_cast<int>(x.size()), grid);
  launch(partial.get(), total.get(), grid, 1);
  return total.download()[0];
}

}  // namespace

float run_tree_sum(const std::vector<float>& x, int grid, int block) {
  return two_pass(x, grid, [block](const float* in, float* out, int n, int blocks) {
    ADVGRAD_LAUNCH(tree_sum_kernel, blocks, block, block * sizeof(float), 0)(in, out, n);
    check_launch("tree_sum_kernel");
  });
}

float run_warp_sum(const std::vector<float>& x, int grid, int block) {
  return two_pass(x, grid, [block](const float* in, float* out, int n, int blocks) {
    ADVGRAD_LAUNCH(warp_sum_kernel, blocks, block, 0, 0)(in, out, n);
    check_launch("warp_sum_kernel");
  });
}

}  // namespace simt_tests
