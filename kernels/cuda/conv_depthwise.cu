// The depthwise weight gradient (groups == C == O): one block per weight
// element, a block reduction over the batch and the output plane.
//   gw[c,0,i,j] = sum_{n,oh,ow} gy[n,c,oh,ow] x[n, c, oh sh - ph + i dh, ow sw - pw + j dw]
// The direct kernel gives this sum to one thread: C kh kw threads (a few
// thousand for EfficientNet) each looping over N OH OW products (up to
// 100,000), and the implicit GEMM tiles it as C GEMMs of one 64-row tile with
// one useful row. Here the N OH OW products of one element are spread over the
// kDepthwiseBlock threads of a block (consecutive threads on consecutive ow:
// coalesced loads of gy and, for stride 1, of x), summed by each thread in the
// accumulation type (double for float) and then over the block by a halving
// tree in shared memory. No atomics: the same bits every run.
//
// Registers and occupancy: a thread holds its accumulator and int64 loop
// indices (as everywhere in these kernels: N OH OW may pass 2^31 on a large
// batch). ptxas (sm_90, bench/ptxas_sm90.txt) gives 44 registers, no spills:
// 5 resident blocks of 256 threads per SM (62% occupancy; 32 registers would
// be needed for 100%), enough for a loop of independent loads and one FMA.
// The shared buffer is 256 accumulators (2 KiB in double): not the limit.
// Blocks: one per weight element, capped at kMaxGridBlocks (a grid-stride
// loop over elements past that).

#include "advgrad/kernels/cuda/conv_algorithms.h"

#if defined(__CUDACC__)
#include <cuda_runtime.h>
#endif

#include <cstdint>

#include "advgrad/kernels/cuda/launch.h"
#include "advgrad/kernels/cuda/launch_config.h"
#include "advgrad/kernels/cuda/runtime.h"
#include "advgrad/kernels/reduce_ops.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

namespace {

using Index = std::int64_t;

constexpr int kDepthwiseBlock = 256;  // a power of two: the tree halves it

// The sum of every thread's v over the block (blockDim.x == kDepthwiseBlock),
// returned to every thread. Barriers only: call it in block-uniform control
// flow; the last barrier lets the caller reuse buf.
template <typename Acc>
__device__ Acc block_sum(Acc v, Acc* buf) {
  const int tid = static_cast<int>(threadIdx.x);
  buf[tid] = v;
  __syncthreads();
  for (int half = kDepthwiseBlock / 2; half > 0; half /= 2) {
    if (tid < half) buf[tid] += buf[tid + half];
    __syncthreads();
  }
  const Acc total = buf[0];
  __syncthreads();
  return total;
}

// Blocks stride over the C kh kw weight elements (a block-uniform loop, as the
// barriers need); threads stride over the N OH OW products of one element.
template <typename T>
__global__ void depthwise_backward_weight_kernel(Conv2dParams p, const T* __restrict__ x, const T* __restrict__ gy,
                                                 T* __restrict__ gw) {
  using Acc = typename acc_type<T>::type;
  __shared__ Acc buf[kDepthwiseBlock];
  const Index taps = p.kh * p.kw, products = p.N * p.OH * p.OW;
  for (Index e = blockIdx.x; e < p.C * taps; e += gridDim.x) {
    const Index c = e / taps, i = e % taps / p.kw, j = e % p.kw;
    Acc acc = 0;
    for (Index q = threadIdx.x; q < products; q += kDepthwiseBlock) {
      const Index ow = q % p.OW, oh = q / p.OW % p.OH, n = q / (p.OW * p.OH);
      const Index h = oh * p.stride_h - p.pad_h + i * p.dilation_h, v = ow * p.stride_w - p.pad_w + j * p.dilation_w;
      if (h < 0 || h >= p.H || v < 0 || v >= p.W) continue;  // the tap reads zero padding
      const Index plane = n * p.C + c;
      acc += static_cast<Acc>(gy[(plane * p.OH + oh) * p.OW + ow]) * static_cast<Acc>(x[(plane * p.H + h) * p.W + v]);
    }
    const Acc total = block_sum(acc, buf);
    if (threadIdx.x == 0) gw[e] = static_cast<T>(total);
  }
}

}  // namespace

bool is_depthwise(const Conv2dParams& p) { return p.groups == p.C && p.O == p.C && p.C > 1; }

template <typename T>
void conv2d_backward_weight_depthwise(const Conv2dParams& p, const T* x, const T* gy, T* gw) {
  const Index elements = p.C * p.kh * p.kw;
  const unsigned int blocks = static_cast<unsigned int>(elements < kMaxGridBlocks ? elements : kMaxGridBlocks);
  ADVGRAD_LAUNCH(depthwise_backward_weight_kernel<T>, blocks, kDepthwiseBlock, 0, 0)(p, x, gy, gw);
  check_launch("depthwise_backward_weight_kernel");
}

template void conv2d_backward_weight_depthwise<float>(const Conv2dParams&, const float*, const float*, float*);
template void conv2d_backward_weight_depthwise<double>(const Conv2dParams&, const double*, const double*, double*);

ADVGRAD_CUDA_NAMESPACE_END
