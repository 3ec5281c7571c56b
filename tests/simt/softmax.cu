// Row-wise softmax with one warp per row: each lane strides over the row, the
// row's max and sum of exponentials come from butterfly (xor) shuffles, so
// every lane ends with the full value and no shared memory is needed.
#include "advgrad/kernels/cuda/launch.h"
#include "simt/device_buffer.h"
#include "simt/test_kernels.h"

namespace simt_tests {

__device__ __forceinline__ float warp_max_all(float v) {
  for (int m = warpSize / 2; m > 0; m /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, m));
  return v;
}

__device__ __forceinline__ float warp_sum_all(float v) {
  for (int m = warpSize / 2; m > 0; m /= 2) v += __shfl_xor_sync(0xffffffffu, v, m);
  return v;
}

// blockDim.x: a multiple of 32; the warp of a row past the end returns as a
// whole, so the shuffles stay warp-uniform.
__global__ void warp_softmax_kernel(const float* __restrict__ x, float* __restrict__ y, int rows, int cols) {
  const int lane = threadIdx.x % warpSize;
  const int row = (blockIdx.x * blockDim.x + threadIdx.x) / warpSize;
  if (row >= rows) return;
  const float* in = x + static_cast<long long>(row) * cols;
  float* out = y + static_cast<long long>(row) * cols;
  float m = -INFINITY;
  for (int c = lane; c < cols; c += warpSize) m = fmaxf(m, in[c]);
  m = warp_max_all(m);
  float sum = 0.0f;
  for (int c = lane; c < cols; c += warpSize) sum += __expf(in[c] - m);
  const float inv = __fdividef(1.0f, warp_sum_all(sum));
  for (int c = lane; c < cols; c += warpSize) out[c] = __expf(in[c] - m) * inv;
}

std::vector<float> run_warp_softmax(const std::vector<float>& x, int rows, int cols) {
  DeviceBuffer<float> dx(x);
  DeviceBuffer<float> dy(x.size());
  const int block = 128;  // four rows per block
  const int grid = (rows * 32 + block - 1) / block;
  ADVGRAD_LAUNCH(warp_softmax_kernel, grid, block, 0, 0)(dx.get(), dy.get(), rows, cols);
  check_launch("warp_softmax_kernel");
  return dy.download();
}

}  // namespace simt_tests
