// Row-wise kernels on the device: softmax / log-softmax forward and backward
// and the fused softmax cross-entropy gradient (kernels/softmax_params.h,
// semantics of kernels/reference/softmax.cpp).
//
// Thread mapping: one warp per row. Lane l handles the row's elements l,
// l + 32, l + 64, ... (rows of any length), keeps its partial max / sum in a
// register, and a butterfly of __shfl_xor_sync leaves the row's total in every
// lane — no shared memory and no __syncthreads. A warp loops over rows
// gridDim.x * warps_per_block apart (grid-stride over rows), so the grid is
// capped and the row loop is warp-uniform, which the shuffles need.
//
// Numerics are the reference's: m = max in T (NaN never wins the comparison,
// as with std::max(m, x)), shifted = T(x - m) promoted to Acc (double for
// float), sum of exp in Acc, and out = shifted - ::log(sum) or ::exp(shifted) / sum
// evaluated in Acc and rounded once. Only the summation order differs (per lane
// then a tree), which is fixed for a given row length: results are
// deterministic.
#include <cstdint>
#include <limits>

#if defined(__CUDACC__)
#include <cuda_runtime.h>
#endif

#include "advgrad/kernels/cuda/launch.h"
#include "advgrad/kernels/cuda/launch_config.h"
#include "advgrad/kernels/cuda/runtime.h"
#include "advgrad/kernels/cuda/softmax.h"
#include "advgrad/kernels/reduce_ops.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

namespace {

constexpr unsigned kFullMask = 0xffffffffu;
constexpr int kRowBlock = 256;  // 8 warps = 8 rows in flight per block
constexpr int kWarpsPerBlock = kRowBlock / 32;

// Offsets of row r for the first K operands of `rows` (row-major unravel of r
// over rows.sizes, as kernels/loops.h strided_offset, once for all operands).
template <int K>
__device__ __forceinline__ void row_offsets(const StridedLoop& rows, std::int64_t r, std::int64_t (&off)[K]) {
  for (int k = 0; k < K; ++k) off[k] = 0;
  for (int d = rows.ndim - 1; d >= 0; --d) {
    const std::int64_t i = r % rows.sizes[d];
    r /= rows.sizes[d];
    for (int k = 0; k < K; ++k) off[k] += i * rows.strides[k][d];
  }
}

// The warp-per-row mapping: lane lane_id() of warp threadIdx.x / 32 of block b
// starts at row b kWarpsPerBlock + warp and strides by the grid's warps (the
// row loop is warp-uniform, so the shuffles inside it see the whole warp).
__device__ __forceinline__ int lane_id() { return static_cast<int>(threadIdx.x % 32); }
__device__ __forceinline__ std::int64_t first_row() {
  return static_cast<std::int64_t>(blockIdx.x) * kWarpsPerBlock + threadIdx.x / 32;
}
__device__ __forceinline__ std::int64_t row_stride() {
  return static_cast<std::int64_t>(gridDim.x) * kWarpsPerBlock;
}

// The reference's max: std::max(m, v) keeps m unless m < v (a NaN never wins).
template <typename T>
__device__ __forceinline__ T max_keep(T m, T v) {
  return m < v ? v : m;
}

template <typename T>
__device__ __forceinline__ T warp_max(T v) {
  for (int mask = 16; mask > 0; mask /= 2) v = max_keep(v, __shfl_xor_sync(kFullMask, v, mask));
  return v;
}

template <typename T>
__device__ __forceinline__ T warp_sum(T v) {
  for (int mask = 16; mask > 0; mask /= 2) v += __shfl_xor_sync(kFullMask, v, mask);
  return v;
}

// Operands: 0 = out, 1 = x.
//   softmax:     out_i = ::exp(x_i - m) / sum_j ::exp(x_j - m)
//   log_softmax: out_i = x_i - m - log(sum_j ::exp(x_j - m))
// Three passes over the row (max, sum, write); the second and third re-read x,
// which a row short enough to matter keeps in L1/L2.
template <typename T>
__global__ void softmax_kernel(bool log_softmax, RowLoop loop, std::int64_t rows, T* __restrict__ out,
                               const T* __restrict__ x) {
  using Acc = typename acc_type<T>::type;
  const int lane = lane_id();
  const std::int64_t n = loop.n;
  const std::int64_t so = loop.dim_strides[0], sx = loop.dim_strides[1];
  for (std::int64_t r = first_row(); r < rows; r += row_stride()) {
    std::int64_t off[2];
    row_offsets<2>(loop.rows, r, off);
    T* o = out + off[0];
    const T* xr = x + off[1];
    T m = -std::numeric_limits<T>::infinity();
    for (std::int64_t i = lane; i < n; i += 32) m = max_keep(m, xr[i * sx]);
    m = warp_max(m);
    Acc sum = 0;
    for (std::int64_t i = lane; i < n; i += 32) sum += ::exp(static_cast<Acc>(xr[i * sx] - m));
    sum = warp_sum(sum);
    const Acc log_sum = ::log(sum);
    for (std::int64_t i = lane; i < n; i += 32) {
      const Acc shifted = static_cast<Acc>(xr[i * sx] - m);
      o[i * so] = static_cast<T>(log_softmax ? shifted - log_sum : ::exp(shifted) / sum);
    }
  }
}

// Operands: 0 = grad_x, 1 = grad_y, 2 = y (the forward output).
//   softmax:     gx_i = y_i (g_i - sum_j g_j y_j)
//   log_softmax: gx_i = g_i - ::exp(y_i) sum_j g_j
template <typename T>
__global__ void softmax_backward_kernel(bool log_softmax, RowLoop loop, std::int64_t rows, T* __restrict__ grad_x,
                                        const T* __restrict__ grad_y, const T* __restrict__ y) {
  using Acc = typename acc_type<T>::type;
  const int lane = lane_id();
  const std::int64_t n = loop.n;
  const std::int64_t s0 = loop.dim_strides[0], s1 = loop.dim_strides[1], s2 = loop.dim_strides[2];
  for (std::int64_t r = first_row(); r < rows; r += row_stride()) {
    std::int64_t off[3];
    row_offsets<3>(loop.rows, r, off);
    T* gx = grad_x + off[0];
    const T* g = grad_y + off[1];
    const T* yr = y + off[2];
    Acc dot = 0;  // softmax: sum g y; log_softmax: sum g
    for (std::int64_t i = lane; i < n; i += 32) dot += log_softmax ? Acc(g[i * s1]) : Acc(g[i * s1]) * Acc(yr[i * s2]);
    dot = warp_sum(dot);
    for (std::int64_t i = lane; i < n; i += 32) {
      const Acc gi = g[i * s1], yi = yr[i * s2];
      gx[i * s0] = static_cast<T>(log_softmax ? gi - ::exp(yi) * dot : yi * (gi - dot));
    }
  }
}

// Operands: 0 = grad_logits, 1 = log_probs, 2 = grad_loss (one per row),
// 3 = labels (int64, one per row, already validated). In double, as the
// reference:
//   dlogits[c] = scale * g_r * (::exp(lp[c]) - (1 - s) [c == y_r] - s / C)
// Nothing to reduce; the warp-per-row mapping reads g_r and y_r once per row
// and keeps a row's writes together.
template <typename T>
__global__ void cross_entropy_backward_kernel(RowLoop loop, std::int64_t rows, double scale, double on_label,
                                              double uniform, T* __restrict__ grad_logits,
                                              const T* __restrict__ log_probs, const T* __restrict__ grad_loss,
                                              const std::int64_t* __restrict__ labels) {
  const int lane = lane_id();
  const std::int64_t n = loop.n;
  const std::int64_t s0 = loop.dim_strides[0], s1 = loop.dim_strides[1];
  for (std::int64_t r = first_row(); r < rows; r += row_stride()) {
    std::int64_t off[4];
    row_offsets<4>(loop.rows, r, off);
    T* gx = grad_logits + off[0];
    const T* lp = log_probs + off[1];
    const double g = scale * static_cast<double>(grad_loss[off[2]]);
    const std::int64_t label = labels[off[3]];
    for (std::int64_t c = lane; c < n; c += 32) {
      const double target = (c == label ? on_label : 0.0) + uniform;
      gx[c * s0] = static_cast<T>(g * (::exp(static_cast<double>(lp[c * s1])) - target));
    }
  }
}

// Blocks for `rows` rows at one warp each, capped (the kernels loop over rows).
unsigned int row_grid(std::int64_t rows) { return grid_for(rows, kWarpsPerBlock); }

}  // namespace

template <typename T>
void softmax(bool log, const RowLoop& loop, T* out, const T* x) {
  const std::int64_t rows = loop.rows.numel();
  if (rows == 0 || loop.n == 0) return;
  ADVGRAD_LAUNCH(softmax_kernel<T>, row_grid(rows), kRowBlock, 0, 0)(log, loop, rows, out, x);
  check_launch("softmax_kernel");
}

template <typename T>
void softmax_backward(bool log, const RowLoop& loop, T* grad_x, const T* grad_y, const T* y) {
  const std::int64_t rows = loop.rows.numel();
  if (rows == 0 || loop.n == 0) return;
  ADVGRAD_LAUNCH(softmax_backward_kernel<T>, row_grid(rows), kRowBlock, 0, 0)(log, loop, rows, grad_x, grad_y, y);
  check_launch("softmax_backward_kernel");
}

template <typename T>
void cross_entropy_backward(const RowLoop& loop, const CrossEntropyParams& p, T* grad_logits, const T* log_probs,
                            const T* grad_loss, const std::int64_t* labels) {
  const std::int64_t rows = loop.rows.numel();
  if (rows == 0 || loop.n == 0) return;
  const double on_label = 1.0 - p.smoothing, uniform = p.smoothing / static_cast<double>(loop.n);
  ADVGRAD_LAUNCH(cross_entropy_backward_kernel<T>, row_grid(rows), kRowBlock, 0, 0)
  (loop, rows, p.scale, on_label, uniform, grad_logits, log_probs, grad_loss, labels);
  check_launch("cross_entropy_backward_kernel");
}

#define ADVGRAD_INSTANTIATE(T)                                                                               \
  template void softmax<T>(bool, const RowLoop&, T*, const T*);                                              \
  template void softmax_backward<T>(bool, const RowLoop&, T*, const T*, const T*);                           \
  template void cross_entropy_backward<T>(const RowLoop&, const CrossEntropyParams&, T*, const T*, const T*, \
                                          const std::int64_t*);
ADVGRAD_INSTANTIATE(float)
ADVGRAD_INSTANTIATE(double)
#undef ADVGRAD_INSTANTIATE

ADVGRAD_CUDA_NAMESPACE_END
