// A kernel that counts its threads, for launch-configuration errors: a bad
// launch must run nothing and leave its error for cudaGetLastError.
#include "advgrad/kernels/cuda/launch.h"
#include "simt/device_buffer.h"
#include "simt/test_kernels.h"

namespace simt_tests {

__global__ void count_threads_kernel(int* count) { atomicAdd(count, 1); }

int launch_counting_kernel(unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                           std::size_t shared_bytes, int* threads_run) {
  DeviceBuffer<int> count(std::vector<int>{0});
  ADVGRAD_LAUNCH(count_threads_kernel, dim3(gx, gy, gz), dim3(bx, by, bz), shared_bytes, 0)(count.get());
  const cudaError_t error = cudaGetLastError();
  cudaDeviceSynchronize();
  *threads_run = count.download()[0];
  return static_cast<int>(error);
}

}  // namespace simt_tests
