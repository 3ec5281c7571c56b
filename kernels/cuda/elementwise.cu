// Elementwise CUDA kernels (kernels/cuda/elementwise.h): unary, binary, where,
// cast, fill and the Philox random draws.
//
// Every strided op runs one kernel, `strided_kernel`, instantiated per op and
// dtype: a grid-stride loop over the row-major linear index of the loop, which
// each thread unravels into one offset per operand. Before launching, the host
// simplifies the loop (`simplify`): size-1 dims are dropped and neighbouring
// dims merged wherever every operand is contiguous across them, so a
// contiguous or simply-broadcast tensor becomes a 1-d loop with no division
// at all; and when every index and offset fits in 32 bits the kernel runs in
// 32-bit arithmetic (64-bit division is ~4x slower than 32-bit on a GPU).
// ADVGRAD_CUDA_INDEX64=1 forces the 64-bit path (read at every launch), so
// the tests can run it on small tensors.
//
// The per-element math is unary_scalar / binary_scalar / where_scalar of
// kernels/elementwise_ops.h: the same formulas as the CPU reference. nvcc may
// contract a*b+c inside them into an fma, so floating-point results can differ
// from the CPU in the last bits (the parity suite compares with tolerances).
// The random draws avoid that: their multiply-adds use round-to-nearest
// intrinsics that nvcc never contracts, so they round exactly like the CPU.
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <type_traits>

#include "advgrad/kernels/cuda/elementwise.h"
#include "advgrad/kernels/cuda/launch.h"
#include "advgrad/kernels/cuda/launch_config.h"
#include "advgrad/kernels/cuda/runtime.h"
#include "advgrad/kernels/random.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

namespace {

// ---- the loop handed to the kernel: simplified, in the index width I --------------------------------------------------
template <int K, typename I>
struct Loop {
  int ndim = 0;
  I sizes[kMaxDims] = {};
  I strides[K][kMaxDims] = {};
};

// Drops size-1 dims and merges dim d into d+1 where, for every operand,
// stride[d] == stride[d+1] * size[d+1] (the pair is then one longer dim).
// Row-major linear order, and so every element's offsets, are unchanged.
StridedLoop simplify(const StridedLoop& in, int k_ops) {
  StridedLoop out;
  for (int d = 0; d < in.ndim; ++d) {
    if (in.sizes[d] == 1) continue;
    if (out.ndim > 0) {
      const int last = out.ndim - 1;
      bool merge = true;
      for (int k = 0; k < k_ops && merge; ++k) merge = out.strides[k][last] == in.strides[k][d] * in.sizes[d];
      if (merge) {
        out.sizes[last] *= in.sizes[d];
        for (int k = 0; k < k_ops; ++k) out.strides[k][last] = in.strides[k][d];
        continue;
      }
    }
    for (int k = 0; k < k_ops; ++k) out.strides[k][out.ndim] = in.strides[k][d];
    out.sizes[out.ndim++] = in.sizes[d];
  }
  return out;
}

// Whether the linear index and every operand's offsets fit in int32.
bool fits_32(const StridedLoop& loop, int k_ops) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int32_t>::max();
  if (loop.numel() > kMax / 2) return false;  // the grid-stride step must not overflow either
  for (int k = 0; k < k_ops; ++k) {
    std::int64_t extent = 0;
    for (int d = 0; d < loop.ndim; ++d) {
      const std::int64_t s = loop.strides[k][d] < 0 ? -loop.strides[k][d] : loop.strides[k][d];
      if (s > kMax) return false;
      extent += (loop.sizes[d] - 1) * s;
      if (extent > kMax) return false;
    }
  }
  return true;
}

bool index64_forced() {
  const char* env = std::getenv("ADVGRAD_CUDA_INDEX64");
  return env != nullptr && env[0] == '1' && env[1] == '\0';
}

template <int K, typename I>
Loop<K, I> narrow(const StridedLoop& s) {
  Loop<K, I> l;
  l.ndim = s.ndim;
  for (int d = 0; d < s.ndim; ++d) {
    l.sizes[d] = static_cast<I>(s.sizes[d]);
    for (int k = 0; k < K; ++k) l.strides[k][d] = static_cast<I>(s.strides[k][d]);
  }
  return l;
}

// ---- the kernel -----------------------------------------------------------------------------------------------------
// I is int32_t or int64_t: the linear index, the per-dim indices and the offsets.
template <int K, typename I, typename F>
__global__ void __launch_bounds__(kElementwiseBlock) strided_kernel(Loop<K, I> loop, I n, F f) {
  const I step = static_cast<I>(blockDim.x) * static_cast<I>(gridDim.x);
  for (I linear = static_cast<I>(blockIdx.x) * static_cast<I>(blockDim.x) + static_cast<I>(threadIdx.x); linear < n;
       linear += step) {
    I off[K];
#pragma unroll
    for (int k = 0; k < K; ++k) off[k] = 0;
    I rest = linear;
    // Fully unrolled over kMaxDims so the loop's arrays stay in registers/params.
#pragma unroll
    for (int d = kMaxDims - 1; d >= 1; --d) {
      if (d < loop.ndim) {
        const I size = loop.sizes[d];
        const I q = rest / size;
        const I i = rest - q * size;
        rest = q;
#pragma unroll
        for (int k = 0; k < K; ++k) off[k] += i * loop.strides[k][d];
      }
    }
    if (loop.ndim > 0) {
#pragma unroll
      for (int k = 0; k < K; ++k) off[k] += rest * loop.strides[k][0];
    }
    f(off);
  }
}

template <int K, typename F>
void launch_strided(const char* name, const StridedLoop& loop_in, const F& f) {
  const std::int64_t n = loop_in.numel();
  if (n <= 0) return;
  const StridedLoop loop = simplify(loop_in, K);
  const unsigned grid = grid_for(n);
  if (fits_32(loop, K) && !index64_forced()) {
    ADVGRAD_LAUNCH((strided_kernel<K, std::int32_t, F>), grid, kElementwiseBlock, 0, 0)
    (narrow<K, std::int32_t>(loop), static_cast<std::int32_t>(n), f);
  } else {
    ADVGRAD_LAUNCH((strided_kernel<K, std::int64_t, F>), grid, kElementwiseBlock, 0, 0)
    (narrow<K, std::int64_t>(loop), n, f);
  }
  check_launch(name);
}

// ---- per-element bodies (operand 0 is the output) ---------------------------------------------------------------------
template <UnaryOp Op, typename T>
struct UnaryBody {
  T* out;
  const T* in;
  OpParams p;
  template <typename I>
  __device__ void operator()(const I (&off)[2]) const {
    out[off[0]] = unary_scalar<Op>(in[off[1]], p);
  }
};

template <BinaryOp Op, typename T>
struct BinaryBody {
  T* out;
  const T* a;
  const T* b;
  OpParams p;
  template <typename I>
  __device__ void operator()(const I (&off)[3]) const {
    out[off[0]] = binary_scalar<Op>(a[off[1]], b[off[2]], p);
  }
};

template <typename T>
struct WhereBody {
  T* out;
  const T* cond;
  const T* a;
  const T* b;
  template <typename I>
  __device__ void operator()(const I (&off)[4]) const {
    out[off[0]] = where_scalar(cond[off[1]], a[off[2]], b[off[3]]);
  }
};

template <typename To, typename From>
struct CastBody {
  To* out;
  const From* in;
  template <typename I>
  __device__ void operator()(const I (&off)[2]) const {
    out[off[0]] = static_cast<To>(in[off[1]]);
  }
};

// The ops core/ allows on int64 (core/ops/elementwise.cpp): the rest call
// floating-point math (exp, erf, pow) that has no integer meaning.
constexpr bool int_ok(BinaryOp op) {
  return op == BinaryOp::Add || op == BinaryOp::Sub || op == BinaryOp::Mul || op == BinaryOp::Minimum ||
         op == BinaryOp::Maximum || op == BinaryOp::Eq || op == BinaryOp::Ne || op == BinaryOp::Lt ||
         op == BinaryOp::Le || op == BinaryOp::Gt || op == BinaryOp::Ge;
}

template <typename T>
struct UnaryLauncher {
  const StridedLoop& loop;
  T* out;
  const T* in;
  const OpParams& p;
  template <UnaryOp Op>
  void operator()() const {
    launch_strided<2>(unary_op_name(Op), loop, UnaryBody<Op, T>{out, in, p});
  }
};

template <typename T>
struct BinaryLauncher {
  const StridedLoop& loop;
  T* out;
  const T* a;
  const T* b;
  const OpParams& p;
  template <BinaryOp Op>
  void operator()() const {
    if constexpr (std::is_integral_v<T> && !int_ok(Op)) {
      throw CudaError(std::string("binary op ") + binary_op_name(Op) + " is not defined for int64");
    } else {
      launch_strided<3>(binary_op_name(Op), loop, BinaryBody<Op, T>{out, a, b, p});
    }
  }
};

// ---- fill and random -----------------------------------------------------------------------------------------------
template <typename T>
__global__ void __launch_bounds__(kElementwiseBlock) fill_kernel(T* out, std::int64_t n, T value) {
  const std::int64_t step = static_cast<std::int64_t>(blockDim.x) * gridDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step)
    out[i] = value;
}

// a * b and a + b rounded once each, never fused into an fma: the CPU computes
// the draws' affine maps with separate roundings, and so must we.
__device__ __forceinline__ double mul_rn(double a, double b) {
#if defined(__CUDACC__)
  return __dmul_rn(a, b);
#else
  return a * b;
#endif
}
__device__ __forceinline__ double add_rn(double a, double b) {
#if defined(__CUDACC__)
  return __dadd_rn(a, b);
#else
  return a + b;
#endif
}

// One thread per Philox block: element 4b + lane uses word `lane` of counter
// offset + b (core/backend/cpu_backend.cpp does the same, so the bits match).
template <typename T>
__global__ void __launch_bounds__(kElementwiseBlock)
    uniform_kernel(T* out, std::int64_t n, double lo, double hi, std::uint64_t seed, std::uint64_t offset) {
  const std::int64_t blocks = (n + 3) / 4;
  const std::int64_t step = static_cast<std::int64_t>(blockDim.x) * gridDim.x;
  for (std::int64_t b = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; b < blocks; b += step) {
    const auto words = philox4x32(offset + static_cast<std::uint64_t>(b), seed);
    for (int lane = 0; lane < 4 && 4 * b + lane < n; ++lane) {
      const T u = bits_to_unit<T>(words[lane]);
      T v = static_cast<T>(add_rn(lo, mul_rn(hi - lo, static_cast<double>(u))));
      if (v >= static_cast<T>(hi) && hi > lo) v = static_cast<T>(lo);  // keep [lo, hi) after rounding
      out[4 * b + lane] = v;
    }
  }
}

// Normal element i uses words 2i and 2i+1: two normals per Philox block.
template <typename T>
__global__ void __launch_bounds__(kElementwiseBlock)
    normal_kernel(T* out, std::int64_t n, double mean, double stddev, std::uint64_t seed, std::uint64_t offset) {
  const std::int64_t blocks = (n + 1) / 2;
  const std::int64_t step = static_cast<std::int64_t>(blockDim.x) * gridDim.x;
  for (std::int64_t b = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; b < blocks; b += step) {
    const auto w = philox4x32(offset + static_cast<std::uint64_t>(b), seed);
    out[2 * b] = static_cast<T>(add_rn(mean, mul_rn(stddev, box_muller(w[0], w[1]))));
    if (2 * b + 1 < n) out[2 * b + 1] = static_cast<T>(add_rn(mean, mul_rn(stddev, box_muller(w[2], w[3]))));
  }
}

}  // namespace

// ---- entry points ---------------------------------------------------------------------------------------------------
template <typename T>
void unary(UnaryOp op, const StridedLoop& loop, T* out, const T* in, const OpParams& p) {
  visit(op, UnaryLauncher<T>{loop, out, in, p});
}

template <typename T>
void binary(BinaryOp op, const StridedLoop& loop, T* out, const T* a, const T* b, const OpParams& p) {
  visit(op, BinaryLauncher<T>{loop, out, a, b, p});
}

template <typename T>
void where(const StridedLoop& loop, T* out, const T* cond, const T* a, const T* b) {
  launch_strided<4>("where", loop, WhereBody<T>{out, cond, a, b});
}

template <typename To, typename From>
void cast(const StridedLoop& loop, To* out, const From* in) {
  launch_strided<2>("cast", loop, CastBody<To, From>{out, in});
}

template <typename T>
void fill(T* out, std::int64_t n, T value) {
  if (n <= 0) return;
  ADVGRAD_LAUNCH(fill_kernel<T>, grid_for(n), kElementwiseBlock, 0, 0)(out, n, value);
  check_launch("fill");
}

template <typename T>
void random_uniform(T* out, std::int64_t n, double lo, double hi, std::uint64_t seed, std::uint64_t offset) {
  if (n <= 0) return;
  ADVGRAD_LAUNCH(uniform_kernel<T>, grid_for((n + 3) / 4), kElementwiseBlock, 0, 0)(out, n, lo, hi, seed, offset);
  check_launch("uniform");
}

template <typename T>
void random_normal(T* out, std::int64_t n, double mean, double stddev, std::uint64_t seed, std::uint64_t offset) {
  if (n <= 0) return;
  ADVGRAD_LAUNCH(normal_kernel<T>, grid_for((n + 1) / 2), kElementwiseBlock, 0, 0)
  (out, n, mean, stddev, seed, offset);
  check_launch("normal");
}

#define ADVGRAD_INSTANTIATE_FLOATING(T)                                                                      \
  template void unary<T>(UnaryOp, const StridedLoop&, T*, const T*, const OpParams&);                       \
  template void where<T>(const StridedLoop&, T*, const T*, const T*, const T*);                             \
  template void random_uniform<T>(T*, std::int64_t, double, double, std::uint64_t, std::uint64_t);          \
  template void random_normal<T>(T*, std::int64_t, double, double, std::uint64_t, std::uint64_t);
ADVGRAD_INSTANTIATE_FLOATING(float)
ADVGRAD_INSTANTIATE_FLOATING(double)
#undef ADVGRAD_INSTANTIATE_FLOATING

#define ADVGRAD_INSTANTIATE_ALL(T)                                                                           \
  template void binary<T>(BinaryOp, const StridedLoop&, T*, const T*, const T*, const OpParams&);           \
  template void fill<T>(T*, std::int64_t, T);                                                                \
  template void cast<T, float>(const StridedLoop&, T*, const float*);                                        \
  template void cast<T, double>(const StridedLoop&, T*, const double*);                                      \
  template void cast<T, std::int64_t>(const StridedLoop&, T*, const std::int64_t*);
ADVGRAD_INSTANTIATE_ALL(float)
ADVGRAD_INSTANTIATE_ALL(double)
ADVGRAD_INSTANTIATE_ALL(std::int64_t)
#undef ADVGRAD_INSTANTIATE_ALL

ADVGRAD_CUDA_NAMESPACE_END
