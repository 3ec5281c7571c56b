// Max pooling without padding over `planes` planes of h x w: forward keeps the
// flat index of each window's first maximum; backward scatters dy to those
// indices. With stride < window the windows overlap, several outputs can pick
// the same input, and the scatter needs float atomicAdd.
#include "advgrad/kernels/cuda/launch.h"
#include "simt/device_buffer.h"
#include "simt/test_kernels.h"

namespace simt_tests {

struct PoolShape {
  int planes, h, w, k, s, oh, ow;
};

__global__ void max_pool_forward_kernel(const float* __restrict__ x, float* __restrict__ y, int* __restrict__ argmax,
                                        PoolShape p) {
  const int total = p.planes * p.oh * p.ow;
  for (int o = blockIdx.x * blockDim.x + threadIdx.x; o < total; o += blockDim.x * gridDim.x) {
    const int ox = o % p.ow;
    const int oy = (o / p.ow) % p.oh;
    const int plane = o / (p.ow * p.oh);
    const float* src = x + plane * p.h * p.w;
    int best = oy * p.s * p.w + ox * p.s;
    for (int dy = 0; dy < p.k; ++dy) {
      for (int dx = 0; dx < p.k; ++dx) {
        const int i = (oy * p.s + dy) * p.w + ox * p.s + dx;
        if (src[i] > src[best]) best = i;
      }
    }
    y[o] = src[best];
    argmax[o] = best;
  }
}

__global__ void max_pool_backward_kernel(const float* __restrict__ dy, const int* __restrict__ argmax,
                                         float* __restrict__ dx, PoolShape p) {
  const int total = p.planes * p.oh * p.ow;
  for (int o = blockIdx.x * blockDim.x + threadIdx.x; o < total; o += blockDim.x * gridDim.x) {
    const int plane = o / (p.ow * p.oh);
    atomicAdd(dx + plane * p.h * p.w + argmax[o], dy[o]);
  }
}

MaxPoolResult run_max_pool(const std::vector<float>& x, int planes, int h, int w, int k, int s,
                           const std::vector<float>& dy) {
  const PoolShape p{planes, h, w, k, s, (h - k) / s + 1, (w - k) / s + 1};
  const std::size_t outputs = static_cast<std::size_t>(planes) * p.oh * p.ow;
  if (dy.size() != outputs) throw std::invalid_argument("run_max_pool: dy has the wrong size");
  DeviceBuffer<float> dxin(x);
  DeviceBuffer<float> dyout(outputs);
  DeviceBuffer<int> dargmax(outputs);
  DeviceBuffer<float> ddy(dy);
  DeviceBuffer<float> dgrad(x.size());
  dgrad.zero();
  const int block = 64;
  const int grid = static_cast<int>((outputs + block - 1) / block) / 2 + 1;  // fewer threads than outputs: loops
  ADVGRAD_LAUNCH(max_pool_forward_kernel, grid, block, 0, 0)(dxin.get(), dyout.get(), dargmax.get(), p);
  check_launch("max_pool_forward_kernel");
  ADVGRAD_LAUNCH(max_pool_backward_kernel, grid, block, 0, 0)(ddy.get(), dargmax.get(), dgrad.get(), p);
  check_launch("max_pool_backward_kernel");
  return {dyout.download(), dargmax.download(), dgrad.download()};
}

}  // namespace simt_tests
