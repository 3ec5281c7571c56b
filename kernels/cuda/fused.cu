// Fused update kernels (kernels/cuda/fused.h; the math is in kernels/fused_params.h).
//
// An optimizer step written with tensor ops reads and writes the parameter
// and its state buffers once per op (about ten passes for Adam); these kernels
// make one pass. Each formula is evaluated in the operation order of the
// reference loops (kernels/reference/fused.cpp), which is also the order of the
// unfused op chain, so float results agree with the CPU to a few ulps (nvcc
// may contract a multiply-add into an fma; the emulator does not).
//
// The attack step needs per-example norms, so it runs one block per example
// row: a block reduction of the gradient's max-abs or squared L2 norm, the
// step, and, for the L2 ball, a second block reduction of ||a - x||^2 before
// the projection. Reductions are deterministic: each thread sums its strided
// elements in index order, then a fixed shared-memory tree combines the
// partials, in double for float as for double (as the reference does).
#if defined(__CUDACC__)
#include <cuda_runtime.h>
#endif

#include <cstdint>

#include "advgrad/kernels/cuda/fused.h"
#include "advgrad/kernels/cuda/launch.h"
#include "advgrad/kernels/cuda/launch_config.h"
#include "advgrad/kernels/cuda/runtime.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

namespace {

__device__ __forceinline__ float device_sqrt(float v) { return sqrtf(v); }
__device__ __forceinline__ double device_sqrt(double v) { return sqrt(v); }
__device__ __forceinline__ float device_abs(float v) { return fabsf(v); }
__device__ __forceinline__ double device_abs(double v) { return fabs(v); }

// std::clamp(v, lo, hi) and std::min(1, v), spelled out for device code.
template <typename T>
__device__ __forceinline__ T clamp_to(T v, T lo, T hi) {
  return v < lo ? lo : (hi < v ? hi : v);
}
template <typename T>
__device__ __forceinline__ T min_one(T v) {
  return v < T(1) ? v : T(1);
}
// max that propagates NaN, like the Max reduction (kernels/reduce_ops.h).
__device__ __forceinline__ double nan_max(double a, double b) { return (a > b || a != a) ? a : b; }

// ---------------------------------------------------------------- optimizers

// One thread per element, grid-stride. Branches on p are uniform.
template <typename T>
__global__ void sgd_update_kernel(SgdParams p, std::int64_t n, T* __restrict__ param, const T* __restrict__ grad,
                                  T* __restrict__ momentum) {
  const T lr = T(p.lr), mu = T(p.momentum), wd = T(p.weight_decay), keep = T(1 - p.dampening);
  const std::int64_t stride = static_cast<std::int64_t>(blockDim.x) * gridDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    const T w = param[i];
    T g = grad[i];
    if (p.weight_decay != 0) g = g + w * wd;
    if (p.momentum != 0) {
      const T b = p.first_step ? g : momentum[i] * mu + g * keep;
      momentum[i] = b;
      g = p.nesterov ? g + b * mu : b;
    }
    param[i] = w - g * lr;
  }
}

template <typename T>
__global__ void adam_update_kernel(AdamParams p, std::int64_t n, T* __restrict__ param, const T* __restrict__ grad,
                                   T* __restrict__ exp_avg, T* __restrict__ exp_avg_sq) {
  const T b1 = T(p.beta1), b2 = T(p.beta2), eps = T(p.eps), wd = T(p.weight_decay);
  const T keep1 = T(1 - p.beta1), keep2 = T(1 - p.beta2);
  const T decay = T(1 - p.lr * p.weight_decay), step = T(p.lr / p.bias_correction1);
  const T c2 = T(p.bias_correction2);
  const std::int64_t stride = static_cast<std::int64_t>(blockDim.x) * gridDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    T w = param[i];
    T g = grad[i];
    if (p.weight_decay != 0) {
      if (p.decoupled) w = w * decay;
      else g = g + w * wd;
    }
    const T m = exp_avg[i] * b1 + g * keep1;
    const T v = exp_avg_sq[i] * b2 + (g * g) * keep2;
    exp_avg[i] = m;
    exp_avg_sq[i] = v;
    param[i] = w - (m / (device_sqrt(v / c2) + eps)) * step;
  }
}

// ---------------------------------------------------------------- attack step

// The block's combination of one value per thread (max or sum), the same on
// every thread. `partial` holds blockDim.x doubles; blockDim.x is a power of
// two. Called in block-uniform control flow only (it has barriers); the last
// barrier lets the caller reuse `partial` right away.
__device__ double block_reduce(double v, bool is_max, double* partial) {
  const int tid = static_cast<int>(threadIdx.x);
  partial[tid] = v;
  __syncthreads();
  for (int s = static_cast<int>(blockDim.x) / 2; s > 0; s /= 2) {
    if (tid < s) partial[tid] = is_max ? nan_max(partial[tid], partial[tid + s]) : partial[tid] + partial[tid + s];
    __syncthreads();
  }
  const double total = partial[0];
  __syncthreads();
  return total;
}

// One block per example row, grid-stride over rows when there are more rows
// than blocks (the row loop is block-uniform, which is all the barriers need).
// Threads stride over the row, so a row of any size works, and each element is
// always touched by the same thread: the L2 pass re-reads only values its own
// thread wrote, with no barrier needed for them.
template <typename T>
__global__ void attack_step_kernel(AttackStepParams p, T* __restrict__ x_adv, const T* __restrict__ grad,
                                   const T* __restrict__ x) {
  ADVGRAD_DYNAMIC_SHARED(double, partial);
  const T tiny = T(1e-12), step = T(p.step_size), eps = T(p.eps), lo = T(p.lo), hi = T(p.hi);
  const std::int64_t n = p.row_size;
  const std::int64_t first = threadIdx.x, stride = blockDim.x;
  for (std::int64_t row = blockIdx.x; row < p.rows; row += gridDim.x) {
    T* a = x_adv + row * n;
    const T* g = grad + row * n;
    const T* x0 = x + row * n;

    // 1. The divisor of the gradient: max |g| or ||g||_2, plus 1e-12 (sign needs none).
    T denom = T(1);
    if (p.normalizer != Normalizer::Sign) {
      const bool is_max = p.normalizer == Normalizer::Max;
      double acc = 0;
      for (std::int64_t i = first; i < n; i += stride) {
        const T gi = g[i];
        acc = is_max ? nan_max(acc, double(device_abs(gi))) : acc + double(gi * gi);
      }
      const double total = block_reduce(acc, is_max, partial);
      denom = (is_max ? T(total) : device_sqrt(T(total))) + tiny;
    }

    // 2. The step, and for the L-inf ball the projection and the clip too.
    double dist2 = 0;  // this thread's share of ||a - x||^2 (L2 ball only)
    for (std::int64_t i = first; i < n; i += stride) {
      const T gi = g[i];
      const T d = p.normalizer == Normalizer::Sign ? T((gi > T(0)) - (gi < T(0))) : gi / denom;
      T ai = a[i] + d * step;
      if (p.norm == Norm::Linf) {
        const T xi = x0[i];
        ai = clamp_to(clamp_to(ai, T(xi - eps), T(xi + eps)), lo, hi);
      } else {
        const T delta = ai - x0[i];
        dist2 += double(delta * delta);
      }
      a[i] = ai;
    }

    // 3. L2 ball: scale a - x back onto it when ||a - x|| > eps, then clip.
    if (p.norm == Norm::L2) {
      const double total = block_reduce(dist2, false, partial);
      const T factor = min_one(eps / (device_sqrt(T(total)) + tiny));
      for (std::int64_t i = first; i < n; i += stride) {
        const T xi = x0[i];
        a[i] = clamp_to(T(xi + (a[i] - xi) * factor), lo, hi);
      }
    }
  }
}

// Threads per attack block: the smallest power of two in [32, 256] that
// covers the row, so a small example does not idle 256 threads.
int attack_block(std::int64_t row_size) {
  int block = 32;
  while (block < 256 && block < row_size) block *= 2;
  return block;
}

}  // namespace

template <typename T>
void sgd_update(const SgdParams& p, std::int64_t n, T* param, const T* grad, T* momentum) {
  if (n <= 0) return;
  ADVGRAD_LAUNCH(sgd_update_kernel<T>, grid_for(n), kElementwiseBlock, 0, 0)(p, n, param, grad, momentum);
  check_launch("sgd_update_kernel");
}

template <typename T>
void adam_update(const AdamParams& p, std::int64_t n, T* param, const T* grad, T* exp_avg, T* exp_avg_sq) {
  if (n <= 0) return;
  ADVGRAD_LAUNCH(adam_update_kernel<T>, grid_for(n), kElementwiseBlock, 0, 0)(p, n, param, grad, exp_avg, exp_avg_sq);
  check_launch("adam_update_kernel");
}

template <typename T>
void attack_step(const AttackStepParams& p, T* x_adv, const T* grad, const T* x) {
  if (p.rows <= 0 || p.row_size <= 0) return;
  const int block = attack_block(p.row_size);
  const auto grid = static_cast<unsigned int>(p.rows < kMaxGridBlocks ? p.rows : kMaxGridBlocks);
  ADVGRAD_LAUNCH(attack_step_kernel<T>, grid, block, block * sizeof(double), 0)(p, x_adv, grad, x);
  check_launch("attack_step_kernel");
}

#define ADVGRAD_INSTANTIATE(T)                                                                      \
  template void sgd_update<T>(const SgdParams&, std::int64_t, T*, const T*, T*);                    \
  template void adam_update<T>(const AdamParams&, std::int64_t, T*, const T*, T*, T*);              \
  template void attack_step<T>(const AttackStepParams&, T*, const T*, const T*);
ADVGRAD_INSTANTIATE(float)
ADVGRAD_INSTANTIATE(double)
#undef ADVGRAD_INSTANTIATE

ADVGRAD_CUDA_NAMESPACE_END
