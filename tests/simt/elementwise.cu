// Elementwise kernels: a grid-stride loop, and a probe of the 3-D built-ins.
#include "advgrad/kernels/cuda/launch.h"
#include "simt/device_buffer.h"
#include "simt/test_kernels.h"

namespace simt_tests {

__global__ void scaled_relu_kernel(const float* __restrict__ x, float* __restrict__ y, int n, float scale) {
  const int stride = blockDim.x * gridDim.x;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
    y[i] = scale * fmaxf(x[i], 0.0f) + 1.0f;
  }
}

__global__ void index_probe_kernel(int* out) {
  const int block = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
  const int threads = blockDim.x * blockDim.y * blockDim.z;
  const int thread = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  const int id = block * threads + thread;
  out[id] = id;
}

std::vector<float> run_scaled_relu(const std::vector<float>& x, float scale, int grid, int block) {
  DeviceBuffer<float> dx(x);
  DeviceBuffer<float> dy(x.size());
  ADVGRAD_LAUNCH(scaled_relu_kernel, grid, block, 0, 0)(dx.get(), dy.get(), static_cast<int>(x.size()), scale);
  check_launch("scaled_relu_kernel");
  return dy.download();
}

std::vector<int> run_index_probe(unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz) {
  DeviceBuffer<int> out(static_cast<std::size_t>(gx) * gy * gz * bx * by * bz);
  ADVGRAD_LAUNCH(index_probe_kernel, dim3(gx, gy, gz), dim3(bx, by, bz), 0, 0)(out.get());
  check_launch("index_probe_kernel");
  return out.download();
}

}  // namespace simt_tests
