// The classic 16x16 shared-memory tiled SGEMM: each block computes a 16x16
// tile of C, walking k in steps of 16; each thread loads one element of the A
// tile and one of the B tile (zero outside the matrices), then accumulates a
// row of A times a column of B. Two barriers per step: after the loads (all
// of the tile is there) and after the multiply-adds (nobody still reads the
// tile the next loads overwrite). The template flags drop either one.
#include "advgrad/kernels/cuda/launch.h"
#include "simt/device_buffer.h"
#include "simt/test_kernels.h"

namespace simt_tests {

constexpr int kTile = 16;

template <bool SyncAfterLoad, bool SyncAfterCompute>
__global__ void tiled_sgemm_kernel(const float* __restrict__ a, const float* __restrict__ b, float* __restrict__ c,
                                   int m, int n, int k) {
  __shared__ float a_tile[kTile][kTile];
  __shared__ float b_tile[kTile][kTile];
  const int tx = threadIdx.x;
  const int ty = threadIdx.y;
  const int row = blockIdx.y * kTile + ty;
  const int col = blockIdx.x * kTile + tx;
  float acc = 0.0f;
  for (int k0 = 0; k0 < k; k0 += kTile) {
    a_tile[ty][tx] = (row < m && k0 + tx < k) ? a[row * k + k0 + tx] : 0.0f;
    b_tile[ty][tx] = (k0 + ty < k && col < n) ? b[(k0 + ty) * n + col] : 0.0f;
    if (SyncAfterLoad) __syncthreads();
#pragma unroll
    for (int kk = 0; kk < kTile; ++kk) acc += a_tile[ty][kk] * b_tile[kk][tx];
    if (SyncAfterCompute) __syncthreads();
  }
  if (row < m && col < n) c[row * n + col] = acc;
}

std::vector<float> run_tiled_sgemm(const std::vector<float>& a, const std::vector<float>& b, int m, int n, int k,
                                   bool sync_after_load, bool sync_after_compute) {
  DeviceBuffer<float> da(a);
  DeviceBuffer<float> db(b);
  DeviceBuffer<float> dc(static_cast<std::size_t>(m) * n);
  const dim3 block(kTile, kTile);
  const dim3 grid((n + kTile - 1) / kTile, (m + kTile - 1) / kTile);
  if (sync_after_load && sync_after_compute) {
    ADVGRAD_LAUNCH((tiled_sgemm_kernel<true, true>), grid, block, 0, 0)(da.get(), db.get(), dc.get(), m, n, k);
  } else if (sync_after_load) {
    ADVGRAD_LAUNCH((tiled_sgemm_kernel<true, false>), grid, block, 0, 0)(da.get(), db.get(), dc.get(), m, n, k);
  } else if (sync_after_compute) {
    ADVGRAD_LAUNCH((tiled_sgemm_kernel<false, true>), grid, block, 0, 0)(da.get(), db.get(), dc.get(), m, n, k);
  } else {
    ADVGRAD_LAUNCH((tiled_sgemm_kernel<false, false>), grid, block, 0, 0)(da.get(), db.get(), dc.get(), m, n, k);
  }
  check_launch("tiled_sgemm_kernel");
  return dc.download();
}

}  // namespace simt_tests
