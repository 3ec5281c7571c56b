// A histogram of small keys without per-element atomics on one counter: for
// each bin, a warp votes with __ballot_sync and lane 0 adds the popcount to a
// shared-memory histogram; blocks then merge theirs into the global one. The
// loop over elements has a block-uniform trip count so every lane reaches
// every ballot (lanes past the end vote with key -1).
#include "advgrad/kernels/cuda/launch.h"
#include "simt/device_buffer.h"
#include "simt/test_kernels.h"

namespace simt_tests {

// blockDim.x: a multiple of 32; bins <= 32.
__global__ void ballot_histogram_kernel(const int* __restrict__ keys, unsigned* __restrict__ hist, int n, int bins) {
  __shared__ unsigned local[32];
  const int lane = threadIdx.x % warpSize;
  for (int b = threadIdx.x; b < bins; b += blockDim.x) local[b] = 0;
  __syncthreads();
  for (int base = blockIdx.x * blockDim.x; base < n; base += blockDim.x * gridDim.x) {
    const int i = base + threadIdx.x;
    const int key = i < n ? keys[i] : -1;
    for (int b = 0; b < bins; ++b) {
      const unsigned votes = __ballot_sync(0xffffffffu, key == b);
      if (lane == 0 && votes != 0) atomicAdd(&local[b], static_cast<unsigned>(__popc(votes)));
    }
  }
  __syncthreads();
  for (int b = threadIdx.x; b < bins; b += blockDim.x) atomicAdd(&hist[b], local[b]);
}

std::vector<unsigned> run_ballot_histogram(const std::vector<int>& keys, int bins, int grid, int block) {
  DeviceBuffer<int> dkeys(keys);
  DeviceBuffer<unsigned> dhist(bins);
  dhist.zero();
  ADVGRAD_LAUNCH(ballot_histogram_kernel, grid, block, 0, 0)
  (dkeys.get(), dhist.get(), static_cast<int>(keys.size()), bins);
  check_launch("ballot_histogram_kernel");
  return dhist.download();
}

}  // namespace simt_tests
