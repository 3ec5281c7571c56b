// Reductions over a ReduceLoop (kernels/cuda/reduce.h): Sum/Max/Min and
// ArgMax/ArgMin, float and double, with the semantics of kernels/reference:
// float sums accumulate in double, Max/Min propagate NaN, arg reductions pick
// the first index among ties and the first NaN when there is one.
//
// Two kernels; the host picks one per call (`use_thread_per_output`):
//   * thread per output: each thread reduces one output element alone, in the
//     reference's order (row-major over the reduced dims), so its results are
//     the reference's bit for bit. Right when the reduced extent is small (a
//     block would idle most of its threads), or when there are many outputs
//     whose elements lie side by side in memory (reducing over a leading dim,
//     e.g. a bias gradient: neighbouring threads read neighbouring addresses).
//   * block per output: the block's threads take the reduced elements
//     r = t, t + B, t + 2B, ... (coalesced when the reduced dim is the inner
//     one), then a shared-memory tree down to one warp and a warp-shuffle
//     finish. B is the smallest power of two in [32, 256] covering the extent.
// Both have a fixed combination order for a given loop, so every run gives
// the same bits. The block kernel's sums are a tree rather than a left fold:
// they differ from the reference in the last bits (float sums accumulate in
// double, so after rounding to float they nearly always agree).
#include <cstdint>
#include <limits>

#include "advgrad/kernels/cuda/launch.h"
#include "advgrad/kernels/cuda/launch_config.h"
#include "advgrad/kernels/cuda/reduce.h"
#include "advgrad/kernels/cuda/runtime.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

namespace {

constexpr int kMaxReduceBlock = 256;
constexpr std::int64_t kMaxReduceGrid = 65535;

// A reduction with its kept and reduced dims each merged where contiguous
// (row-major order within each set is unchanged).
struct Reduction {
  int out_ndim = 0;
  std::int64_t out_sizes[kMaxDims] = {};
  std::int64_t out_strides[kMaxDims] = {};
  int red_ndim = 0;
  std::int64_t red_sizes[kMaxDims] = {};
  std::int64_t red_strides[kMaxDims] = {};
  std::int64_t n_out = 1, n_red = 1;
};

void merge_dims(int ndim, const std::int64_t* sizes, const std::int64_t* strides, int& out_ndim,
                std::int64_t* out_sizes, std::int64_t* out_strides) {
  out_ndim = 0;
  for (int d = 0; d < ndim; ++d) {
    if (sizes[d] == 1) continue;
    if (out_ndim > 0 && out_strides[out_ndim - 1] == strides[d] * sizes[d]) {
      out_sizes[out_ndim - 1] *= sizes[d];
      out_strides[out_ndim - 1] = strides[d];
      continue;
    }
    out_sizes[out_ndim] = sizes[d];
    out_strides[out_ndim++] = strides[d];
  }
}

Reduction simplify(const ReduceLoop& loop) {
  Reduction r;
  merge_dims(loop.out_ndim, loop.out_sizes, loop.out_strides, r.out_ndim, r.out_sizes, r.out_strides);
  merge_dims(loop.red_ndim, loop.red_sizes, loop.red_strides, r.red_ndim, r.red_sizes, r.red_strides);
  r.n_out = loop.out_numel();
  r.n_red = loop.red_numel();
  return r;
}

__device__ __forceinline__ std::int64_t offset_of(int ndim, const std::int64_t* sizes, const std::int64_t* strides,
                                                  std::int64_t linear) {
  std::int64_t off = 0;
  for (int d = ndim - 1; d >= 1; --d) {
    const std::int64_t q = linear / sizes[d];
    off += (linear - q * sizes[d]) * strides[d];
    linear = q;
  }
  return ndim > 0 ? off + linear * strides[0] : off;
}

bool use_thread_per_output(const Reduction& r) {
  if (r.n_red <= 32) return true;
  const bool neighbours = r.out_ndim > 0 && r.out_strides[r.out_ndim - 1] == 1;
  return neighbours && r.n_out >= 2048 && r.n_red <= 4096;
}

int block_for(std::int64_t n_red) {
  int b = 32;
  while (b < kMaxReduceBlock && b < n_red) b *= 2;
  return b;
}

unsigned grid_blocks(std::int64_t n, std::int64_t cap) { return static_cast<unsigned>(n < cap ? (n < 1 ? 1 : n) : cap); }

// ---- Sum / Max / Min -------------------------------------------------------------------------------------------------
template <ReduceOp Op, typename Acc>
__device__ __forceinline__ Acc reduce_init() {
  if constexpr (Op == ReduceOp::Sum) return Acc(0);
  else if constexpr (Op == ReduceOp::Max) return -std::numeric_limits<Acc>::infinity();
  else return std::numeric_limits<Acc>::infinity();
}

// acc (earlier elements) combined with v (later ones), as the reference folds:
// a NaN wins (the later one when both are NaN).
template <ReduceOp Op, typename Acc>
__device__ __forceinline__ Acc reduce_step(Acc acc, Acc v) {
  if constexpr (Op == ReduceOp::Sum) return acc + v;
  else {
    if (v != v || acc != acc) return v != v ? v : acc;
    if constexpr (Op == ReduceOp::Max) return v > acc ? v : acc;
    else return v < acc ? v : acc;
  }
}

template <ReduceOp Op, typename T>
__global__ void __launch_bounds__(kElementwiseBlock) reduce_thread_kernel(Reduction r, T* out, const T* in) {
  using Acc = typename acc_type<T>::type;
  // The reduced dims as rows (all but the last) of `inner` elements.
  const int last = r.red_ndim - 1;
  const std::int64_t inner = r.red_ndim > 0 ? r.red_sizes[last] : 1;
  const std::int64_t inner_stride = r.red_ndim > 0 ? r.red_strides[last] : 0;
  const std::int64_t rows = r.n_red == 0 ? 0 : r.n_red / inner;
  const std::int64_t step = static_cast<std::int64_t>(blockDim.x) * gridDim.x;
  for (std::int64_t o = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; o < r.n_out; o += step) {
    const T* base = in + offset_of(r.out_ndim, r.out_sizes, r.out_strides, o);
    Acc acc = reduce_init<Op, Acc>();
    for (std::int64_t row = 0; row < rows; ++row) {
      const T* p = base + (last > 0 ? offset_of(last, r.red_sizes, r.red_strides, row) : 0);
      for (std::int64_t i = 0; i < inner; ++i) acc = reduce_step<Op, Acc>(acc, static_cast<Acc>(p[i * inner_stride]));
    }
    out[o] = static_cast<T>(acc);
  }
}

template <ReduceOp Op, typename T>
__global__ void __launch_bounds__(kMaxReduceBlock) reduce_block_kernel(Reduction r, T* out, const T* in) {
  using Acc = typename acc_type<T>::type;
  __shared__ Acc partial[kMaxReduceBlock];
  const int tid = static_cast<int>(threadIdx.x);
  const int threads = static_cast<int>(blockDim.x);
  for (std::int64_t o = blockIdx.x; o < r.n_out; o += gridDim.x) {  // uniform across the block
    const T* base = in + offset_of(r.out_ndim, r.out_sizes, r.out_strides, o);
    Acc acc = reduce_init<Op, Acc>();
    for (std::int64_t e = tid; e < r.n_red; e += threads)
      acc = reduce_step<Op, Acc>(acc, static_cast<Acc>(base[offset_of(r.red_ndim, r.red_sizes, r.red_strides, e)]));
    partial[tid] = acc;
    __syncthreads();
    for (int half = threads / 2; half >= 32; half /= 2) {
      if (tid < half) partial[tid] = reduce_step<Op, Acc>(partial[tid], partial[tid + half]);
      __syncthreads();
    }
    if (tid < 32) {  // warp 0, whole
      acc = partial[tid];
      for (int delta = 16; delta >= 1; delta /= 2)
        acc = reduce_step<Op, Acc>(acc, __shfl_down_sync(0xffffffffu, acc, delta));
      if (tid == 0) out[o] = static_cast<T>(acc);
    }
    __syncthreads();  // `partial` is reused by the next output
  }
}

template <typename T>
struct ReduceLauncher {
  const Reduction& r;
  T* out;
  const T* in;
  template <ReduceOp Op>
  void run() const {
    if (use_thread_per_output(r)) {
      ADVGRAD_LAUNCH((reduce_thread_kernel<Op, T>), grid_for(r.n_out), kElementwiseBlock, 0, 0)(r, out, in);
    } else {
      ADVGRAD_LAUNCH((reduce_block_kernel<Op, T>), grid_blocks(r.n_out, kMaxReduceGrid), block_for(r.n_red), 0, 0)
      (r, out, in);
    }
    check_launch("reduce");
  }
};

// ---- ArgMax / ArgMin -------------------------------------------------------------------------------------------------
// (value, index) pairs. `better(a, b)`: a is kept over b. A NaN beats any
// number; between NaNs, or between equal numbers, the smaller index wins.
// Folding the elements in increasing index order with it gives the
// reference's answer (the first NaN, else the first extreme), and so does any
// tree, since it is a total order on the pairs.
template <typename T>
__device__ __forceinline__ bool better(bool is_max, T va, std::int64_t ia, T vb, std::int64_t ib) {
  const bool na = va != va, nb = vb != vb;
  if (na || nb) return na && nb ? ia < ib : na;
  if (va == vb) return ia < ib;
  return is_max ? va > vb : va < vb;
}

template <typename T>
__global__ void __launch_bounds__(kElementwiseBlock)
    arg_thread_kernel(bool is_max, Reduction r, std::int64_t red_stride, T* values, std::int64_t* indices,
                      const T* in) {
  const std::int64_t step = static_cast<std::int64_t>(blockDim.x) * gridDim.x;
  for (std::int64_t o = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; o < r.n_out; o += step) {
    const T* base = in + offset_of(r.out_ndim, r.out_sizes, r.out_strides, o);
    T best = base[0];
    std::int64_t best_i = 0;
    for (std::int64_t e = 1; e < r.n_red && best == best; ++e) {
      const T v = base[e * red_stride];
      if (v != v || (is_max ? v > best : v < best)) {  // strict: the first index wins ties; NaN wins
        best = v;
        best_i = e;
      }
    }
    values[o] = best;
    indices[o] = best_i;
  }
}

template <typename T>
__global__ void __launch_bounds__(kMaxReduceBlock)
    arg_block_kernel(bool is_max, Reduction r, std::int64_t red_stride, T* values, std::int64_t* indices,
                     const T* in) {
  __shared__ T best_v[kMaxReduceBlock];
  __shared__ std::int64_t best_i[kMaxReduceBlock];
  const int tid = static_cast<int>(threadIdx.x);
  const int threads = static_cast<int>(blockDim.x);
  // A thread with no element holds (-inf or +inf, no index): any element beats it.
  const T none_v = is_max ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
  constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::max();
  for (std::int64_t o = blockIdx.x; o < r.n_out; o += gridDim.x) {
    const T* base = in + offset_of(r.out_ndim, r.out_sizes, r.out_strides, o);
    T v = none_v;
    std::int64_t i = kNone;
    for (std::int64_t e = tid; e < r.n_red; e += threads) {
      const T x = base[e * red_stride];
      if (better(is_max, x, e, v, i)) {
        v = x;
        i = e;
      }
    }
    best_v[tid] = v;
    best_i[tid] = i;
    __syncthreads();
    for (int half = threads / 2; half >= 32; half /= 2) {
      if (tid < half && better(is_max, best_v[tid + half], best_i[tid + half], best_v[tid], best_i[tid])) {
        best_v[tid] = best_v[tid + half];
        best_i[tid] = best_i[tid + half];
      }
      __syncthreads();
    }
    if (tid < 32) {
      v = best_v[tid];
      i = best_i[tid];
      for (int delta = 16; delta >= 1; delta /= 2) {
        const T ov = __shfl_down_sync(0xffffffffu, v, delta);
        const long long oi = __shfl_down_sync(0xffffffffu, static_cast<long long>(i), delta);
        if (better(is_max, ov, static_cast<std::int64_t>(oi), v, i)) {
          v = ov;
          i = oi;
        }
      }
      if (tid == 0) {
        values[o] = v;
        indices[o] = i;
      }
    }
    __syncthreads();
  }
}

}  // namespace

template <typename T>
void reduce(ReduceOp op, const ReduceLoop& loop, T* out, const T* in) {
  const Reduction r = simplify(loop);
  if (r.n_out <= 0) return;
  const ReduceLauncher<T> launcher{r, out, in};
  switch (op) {
    case ReduceOp::Sum: launcher.template run<ReduceOp::Sum>(); break;
    case ReduceOp::Max: launcher.template run<ReduceOp::Max>(); break;
    case ReduceOp::Min: launcher.template run<ReduceOp::Min>(); break;
  }
}

template <typename T>
void arg_reduce(bool is_max, const ReduceLoop& loop, T* values, std::int64_t* indices, const T* in) {
  // One reduced dim (the reference's contract); its stride is taken as given,
  // since indices count along that dim even when it has size 1.
  Reduction r = simplify(loop);
  if (r.n_out <= 0) return;
  if (r.n_red <= 0) throw CudaError("arg_reduce over an empty dim");
  const std::int64_t red_stride = loop.red_strides[0];
  if (use_thread_per_output(r)) {
    ADVGRAD_LAUNCH(arg_thread_kernel<T>, grid_for(r.n_out), kElementwiseBlock, 0, 0)
    (is_max, r, red_stride, values, indices, in);
  } else {
    ADVGRAD_LAUNCH(arg_block_kernel<T>, grid_blocks(r.n_out, kMaxReduceGrid), block_for(r.n_red), 0, 0)
    (is_max, r, red_stride, values, indices, in);
  }
  check_launch(is_max ? "argmax" : "argmin");
}

template void reduce<float>(ReduceOp, const ReduceLoop&, float*, const float*);
template void reduce<double>(ReduceOp, const ReduceLoop&, double*, const double*);
template void arg_reduce<float>(bool, const ReduceLoop&, float*, std::int64_t*, const float*);
template void arg_reduce<double>(bool, const ReduceLoop&, double*, std::int64_t*, const double*);

ADVGRAD_CUDA_NAMESPACE_END
