// Batch normalisation on the device over a contiguous [N, C, S] input
// (kernels/batch_norm_params.h), with the math of kernels/reference/batch_norm.cpp:
// per-channel statistics and backward sums accumulate in Acc (double for float),
// the forward normalisation is in T.
//
// Thread mapping. The statistics and the backward reduce over the M = N * S
// values of one channel, so each gets one block per channel: thread t visits
// the channel's values t, t + B, t + 2B, ... (consecutive threads read
// consecutive s, coalesced when S is large), keeps a private partial sum, and
// a shared-memory tree then a warp shuffle combine the B partials in a fixed
// order — deterministic, whatever the thread schedule. The forward is
// elementwise: one thread per element, grid-stride.
#include <cstdint>

#if defined(__CUDACC__)
#include <cuda_runtime.h>
#endif

#include "advgrad/kernels/cuda/batch_norm.h"
#include "advgrad/kernels/cuda/launch.h"
#include "advgrad/kernels/cuda/launch_config.h"
#include "advgrad/kernels/cuda/runtime.h"
#include "advgrad/kernels/reduce_ops.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

namespace {

constexpr unsigned kFullMask = 0xffffffffu;
constexpr int kChannelBlock = 256;  // threads per channel: a power of two >= 64

// Calls f(i) for the offsets i = (n * C + c) * S + s of this thread's share of
// channel c: the values j = threadIdx.x + k * blockDim.x of j = n * S + s < M.
// (n, s) advance by (B / S, B % S) with one carry, so there is no 64-bit
// division per element.
template <typename F>
__device__ __forceinline__ void for_channel_values(const BatchNormShape& sh, std::int64_t c, F&& f) {
  const std::int64_t step = blockDim.x;
  const std::int64_t dn = step / sh.s, ds = step % sh.s;
  std::int64_t n = threadIdx.x / sh.s, s = threadIdx.x % sh.s;
  while (n < sh.n) {
    f((n * sh.c + c) * sh.s + s);
    n += dn;
    s += ds;
    if (s >= sh.s) {
      s -= sh.s;
      ++n;
    }
  }
}

// Sums v[0..K) over the block (blockDim.x == kChannelBlock) and returns the
// totals in every thread's v. buf: K * kChannelBlock values of shared memory.
// Halving tree down to 32 partials with a barrier per level, then warp 0 folds
// those with shuffles; the last barrier lets the caller reuse buf.
template <int K, typename Acc>
__device__ __forceinline__ void block_sum(Acc (&v)[K], Acc* buf) {
  const int tid = threadIdx.x;
  for (int k = 0; k < K; ++k) buf[k * kChannelBlock + tid] = v[k];
  __syncthreads();
  for (int half = kChannelBlock / 2; half >= 32; half /= 2) {
    if (tid < half)
      for (int k = 0; k < K; ++k) buf[k * kChannelBlock + tid] += buf[k * kChannelBlock + tid + half];
    __syncthreads();
  }
  if (tid < 32) {  // warp 0 as a whole: the shuffles are warp-uniform
    for (int k = 0; k < K; ++k) {
      Acc x = buf[k * kChannelBlock + tid];
      for (int offset = 16; offset > 0; offset /= 2) x += __shfl_down_sync(kFullMask, x, offset);
      if (tid == 0) buf[k * kChannelBlock] = x;
    }
  }
  __syncthreads();
  for (int k = 0; k < K; ++k) v[k] = buf[k * kChannelBlock];
  __syncthreads();
}

// Biased statistics of channel blockIdx.x, two passes as the reference:
//   mean_c = (1/M) sum x,   var_c = (1/M) sum (x - mean_c)^2
template <typename T>
__global__ void batch_norm_stats_kernel(BatchNormShape sh, const T* __restrict__ x, T* __restrict__ mean,
                                        T* __restrict__ var) {
  using Acc = typename acc_type<T>::type;
  __shared__ Acc buf[kChannelBlock];
  const std::int64_t c = blockIdx.x;
  const Acc m = static_cast<Acc>(sh.n * sh.s);
  Acc sum[1] = {0};
  for_channel_values(sh, c, [&](std::int64_t i) { sum[0] += x[i]; });
  block_sum(sum, buf);
  const Acc mu = sum[0] / m;
  Acc sq[1] = {0};
  for_channel_values(sh, c, [&](std::int64_t i) {
    const Acc d = static_cast<Acc>(x[i]) - mu;
    sq[0] += d * d;
  });
  block_sum(sq, buf);
  if (threadIdx.x == 0) {
    mean[c] = static_cast<T>(mu);
    var[c] = static_cast<T>(sq[0] / m);
  }
}

// y = (x - mean_c) invstd_c w_c + b_c in T; a null weight means 1, a null bias 0.
// c = (i / S) % C: two divisions per element, which a memory-bound kernel hides.
template <typename T>
__global__ void batch_norm_forward_kernel(BatchNormShape sh, std::int64_t total, const T* __restrict__ x,
                                          const T* __restrict__ mean, const T* __restrict__ invstd,
                                          const T* __restrict__ weight, const T* __restrict__ bias, T* __restrict__ y) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += stride) {
    const std::int64_t c = (i / sh.s) % sh.c;
    const T w = weight ? weight[c] : T(1), b = bias ? bias[c] : T(0);
    y[i] = (x[i] - mean[c]) * invstd[c] * w + b;
  }
}

// Channel blockIdx.x. With xhat = (x - mean_c) invstd_c and sums over (n, s):
//   grad_bias_c = sum g,   grad_weight_c = sum g xhat
//   grad_x = w_c invstd_c (g - sum g / M - xhat sum(g xhat) / M)   (batch_stats)
//   grad_x = w_c invstd_c g                                      (running statistics)
// Null outputs are skipped; without batch_stats and without grad_weight /
// grad_bias (an input gradient in eval mode) the sums are not computed at all.
template <typename T>
__global__ void batch_norm_backward_kernel(BatchNormShape sh, bool batch_stats, const T* __restrict__ grad_y,
                                           const T* __restrict__ x, const T* __restrict__ mean,
                                           const T* __restrict__ invstd, const T* __restrict__ weight,
                                           T* __restrict__ grad_x, T* __restrict__ grad_weight,
                                           T* __restrict__ grad_bias) {
  using Acc = typename acc_type<T>::type;
  __shared__ Acc buf[2 * kChannelBlock];
  const std::int64_t c = blockIdx.x;
  const Acc m = static_cast<Acc>(sh.n * sh.s);
  const Acc mu = mean[c], istd = invstd[c];
  Acc sums[2] = {0, 0};                           // sum g, sum g xhat
  if (batch_stats || grad_weight || grad_bias) {  // kernel arguments: block-uniform
    for_channel_values(sh, c, [&](std::int64_t i) {
      const Acc xhat = (static_cast<Acc>(x[i]) - mu) * istd;
      const Acc g = grad_y[i];
      sums[0] += g;
      sums[1] += g * xhat;
    });
    block_sum(sums, buf);
    if (threadIdx.x == 0) {
      if (grad_bias) grad_bias[c] = static_cast<T>(sums[0]);
      if (grad_weight) grad_weight[c] = static_cast<T>(sums[1]);
    }
  }
  if (!grad_x) return;  // after the last barrier
  const Acc k = (weight ? Acc(weight[c]) : Acc(1)) * istd;
  const Acc mean_g = sums[0] / m, mean_gxhat = sums[1] / m;
  for_channel_values(sh, c, [&](std::int64_t i) {
    const Acc g = grad_y[i];
    if (batch_stats) {
      const Acc xhat = (static_cast<Acc>(x[i]) - mu) * istd;
      grad_x[i] = static_cast<T>(k * (g - mean_g - xhat * mean_gxhat));
    } else {
      grad_x[i] = static_cast<T>(k * g);
    }
  });
}

}  // namespace

template <typename T>
void batch_norm_stats(const BatchNormShape& shape, const T* x, T* mean, T* var) {
  if (shape.c == 0) return;
  ADVGRAD_LAUNCH(batch_norm_stats_kernel<T>, static_cast<unsigned int>(shape.c), kChannelBlock, 0, 0)
  (shape, x, mean, var);
  check_launch("batch_norm_stats_kernel");
}

template <typename T>
void batch_norm_forward(const BatchNormShape& shape, const T* x, const T* mean, const T* invstd, const T* weight,
                        const T* bias, T* y) {
  const std::int64_t total = shape.n * shape.c * shape.s;
  if (total == 0) return;
  ADVGRAD_LAUNCH(batch_norm_forward_kernel<T>, grid_for(total), kElementwiseBlock, 0, 0)
  (shape, total, x, mean, invstd, weight, bias, y);
  check_launch("batch_norm_forward_kernel");
}

template <typename T>
void batch_norm_backward(const BatchNormShape& shape, bool batch_stats, const T* grad_y, const T* x, const T* mean,
                         const T* invstd, const T* weight, T* grad_x, T* grad_weight, T* grad_bias) {
  if (shape.c == 0 || (!grad_x && !grad_weight && !grad_bias)) return;
  ADVGRAD_LAUNCH(batch_norm_backward_kernel<T>, static_cast<unsigned int>(shape.c), kChannelBlock, 0, 0)
  (shape, batch_stats, grad_y, x, mean, invstd, weight, grad_x, grad_weight, grad_bias);
  check_launch("batch_norm_backward_kernel");
}

#define ADVGRAD_INSTANTIATE(T)                                                                                        \
  template void batch_norm_stats<T>(const BatchNormShape&, const T*, T*, T*);                                         \
  template void batch_norm_forward<T>(const BatchNormShape&, const T*, const T*, const T*, const T*, const T*, T*);   \
  template void batch_norm_backward<T>(const BatchNormShape&, bool, const T*, const T*, const T*, const T*, const T*, \
                                       T*, T*, T*);
ADVGRAD_INSTANTIATE(float)
ADVGRAD_INSTANTIATE(double)
#undef ADVGRAD_INSTANTIATE

ADVGRAD_CUDA_NAMESPACE_END
