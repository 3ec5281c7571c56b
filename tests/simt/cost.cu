// Kernels that measure the emulator itself (docs/simt.md): an empty kernel
// (the cost of a thread), a loop of barriers, a loop of shuffles.
#include "advgrad/kernels/cuda/launch.h"
#include "simt/device_buffer.h"
#include "simt/test_kernels.h"

namespace simt_tests {

__global__ void empty_kernel() {}

__global__ void barrier_loop_kernel(int barriers, int* out) {
  int v = threadIdx.x;
  for (int i = 0; i < barriers; ++i) {
    v += i;
    __syncthreads();
  }
  if (v == -1) out[0] = v;  // keeps the loop from being optimised away
}

__global__ void shuffle_loop_kernel(int shuffles, int* out) {
  unsigned v = threadIdx.x;  // unsigned: the sums double each step and may wrap
  for (int i = 0; i < shuffles; ++i) v += __shfl_xor_sync(0xffffffffu, v, 1);
  if (v == 0xffffffffu) out[0] = 1;
}

void run_empty_kernel(int grid, int block) {
  ADVGRAD_LAUNCH(empty_kernel, grid, block, 0, 0)();
  check_launch("empty_kernel");
}

void run_barrier_loop(int grid, int block, int barriers) {
  DeviceBuffer<int> out(1);
  ADVGRAD_LAUNCH(barrier_loop_kernel, grid, block, 0, 0)(barriers, out.get());
  check_launch("barrier_loop_kernel");
}

void run_shuffle_loop(int grid, int block, int shuffles) {
  DeviceBuffer<int> out(1);
  ADVGRAD_LAUNCH(shuffle_loop_kernel, grid, block, 0, 0)(shuffles, out.get());
  check_launch("shuffle_loop_kernel");
}

}  // namespace simt_tests
