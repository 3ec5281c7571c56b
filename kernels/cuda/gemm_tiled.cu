// Our own tiled GEMM (kernels/gemm_params.h), float and double:
//   C[b] = alpha * op(A[b]) * op(B[b]) + beta * C[b]
// The teaching version beside cuBLAS (kernels/cuda/cublas_gemm.cu), and its
// stand-in under the SIMT emulator.
//
// Tiling. A block of 256 threads computes a 64 x 64 tile of C, walking k in
// steps of BK = 16: it stages op(A)[64 x 16] and op(B)[16 x 64] in shared
// memory, and every thread accumulates a 4 x 4 register block of outputs from
// them. Per k step a thread does 16 multiply-adds for 8 shared-memory loads,
// and every loaded A/B value is reused 64 times from shared memory instead of
// being read 64 times from global memory.
//
// Thread mapping. Thread (tx, ty) = (t % 16, t / 16) owns rows ty + 16 r and
// columns tx + 16 c (r, c < 4) of the tile, not a contiguous 4 x 4 patch:
// then the 16 lanes of a half-warp read 16 consecutive B values (different
// banks, no conflict), the two halves of a warp read two A values (broadcast),
// and the final stores write 16 consecutive columns of a C row (coalesced).
//
// Loads. op(A)[i][l] = trans_a ? A[l * lda + i] : A[i * lda + l], and alike
// for B. Each thread fetches 4 A and 4 B values per step with consecutive
// threads on the operand's contiguous dim (l for plain A, i for transposed
// A), so global reads coalesce for either flag. Tiles are stored [l][i] and
// [l][j] (k-major): the multiply-add loop then reads rows of both. A row of
// 64 + 1 values: the plain-A (and transposed-B) stores walk down a column,
// which without the pad would put 16 lanes on one bank.
//
// Pipelining. The next step's global values are loaded into registers before
// the current step's multiply-adds, so their latency overlaps the arithmetic;
// they go to shared memory after the second barrier (when nobody reads the
// old tile any more). Two barriers per step: after the stores (the tile is
// complete) and after the multiply-adds (the tile may be overwritten).
//
// Edges: out-of-range loads read 0 (they add nothing), out-of-range outputs
// are not stored. Accumulation is in T — float for float, as cuBLAS does —
// while the reference accumulates in double: float results agree to rounding
// (the parity tolerances), not bits. The epilogue alpha * acc + beta * C is in
// double like the reference's, and beta == 0 never reads C (it may hold NaN).
//
// Batches: blockIdx.z (capped at 65535, looping beyond), with batch strides
// that may be 0 (a broadcast operand). m tiles on blockIdx.x (no practical
// limit), n tiles on blockIdx.y (capped, looping).
#include <algorithm>
#include <cstdint>
#include <string>

#if defined(__CUDACC__)
#include <cuda_runtime.h>
#endif

#include "advgrad/kernels/cuda/gemm.h"
#include "advgrad/kernels/cuda/launch.h"
#include "advgrad/kernels/cuda/runtime.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

namespace {

constexpr int kTileM = 64, kTileN = 64, kTileK = 16;
constexpr int kThreads = 256;
constexpr int kSide = 16;                           // threads per tile side (16 x 16 = 256)
constexpr int kMicro = kTileM / kSide;              // 4 x 4 outputs per thread
constexpr int kLoads = kTileM * kTileK / kThreads;  // 4 A and 4 B values per thread per step
constexpr int kPad = 1;
constexpr unsigned kMaxGridYZ = 65535;

static_assert(kTileM == kTileN && kSide * kSide == kThreads && kLoads * kThreads == kTileK * kTileN);

// Where thread t's q-th load of an operand tile lands in the [kTileK][64] tile:
// (l, i) with consecutive t on i when `i_contiguous` (the operand is stored
// i-major: transposed A, plain B), else on l.
struct TileSlot {
  int l, i;
};
__device__ __forceinline__ TileSlot tile_slot(bool i_contiguous, int t, int q) {
  if (i_contiguous) return {t / kTileM + q * (kThreads / kTileM), t % kTileM};
  return {t % kTileK, t / kTileK + q * (kThreads / kTileK)};
}

// TransA / TransB are template flags so that the index arithmetic of the loads
// is fixed at compile time (four variants per type).
template <typename T, bool TransA, bool TransB>
__global__ void __launch_bounds__(kThreads)
    gemm_tiled_kernel(GemmParams p, const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ c) {
  __shared__ T a_tile[kTileK][kTileM + kPad];  // a_tile[l][i] = op(A)[row0 + i][k0 + l]
  __shared__ T b_tile[kTileK][kTileN + kPad];  // b_tile[l][j] = op(B)[k0 + l][col0 + j]
  const int t = threadIdx.x;
  const int tx = t % kSide, ty = t / kSide;
  const std::int64_t m = p.m, n = p.n, k = p.k;
  const std::int64_t n_tiles = (n + kTileN - 1) / kTileN;
  // Loops over batches and n tiles past the grid's y/z caps (block-uniform).
  for (std::int64_t batch = blockIdx.z; batch < p.batch; batch += gridDim.z) {
    const T* A = a + batch * p.stride_a;
    const T* B = b + batch * p.stride_b;
    T* C = c + batch * p.stride_c;
    for (std::int64_t tile_n = blockIdx.y; tile_n < n_tiles; tile_n += gridDim.y) {
      const std::int64_t row0 = static_cast<std::int64_t>(blockIdx.x) * kTileM, col0 = tile_n * kTileN;

      // Global -> registers for the k step at k0 (0 outside the matrices).
      T a_next[kLoads], b_next[kLoads];
      auto fetch = [&](std::int64_t k0) {
#pragma unroll
        for (int q = 0; q < kLoads; ++q) {
          const TileSlot sa = tile_slot(TransA, t, q);
          const std::int64_t i = row0 + sa.i, l = k0 + sa.l;
          a_next[q] = (i < m && l < k) ? A[TransA ? l * p.lda + i : i * p.lda + l] : T(0);
          const TileSlot sb = tile_slot(!TransB, t, q);
          const std::int64_t j = col0 + sb.i, lb = k0 + sb.l;
          b_next[q] = (j < n && lb < k) ? B[TransB ? j * p.ldb + lb : lb * p.ldb + j] : T(0);
        }
      };

      T acc[kMicro][kMicro];
#pragma unroll
      for (int r = 0; r < kMicro; ++r)
#pragma unroll
        for (int q = 0; q < kMicro; ++q) acc[r][q] = T(0);

      fetch(0);
      for (std::int64_t k0 = 0; k0 < k; k0 += kTileK) {
#pragma unroll
        for (int q = 0; q < kLoads; ++q) {
          const TileSlot sa = tile_slot(TransA, t, q);
          a_tile[sa.l][sa.i] = a_next[q];
          const TileSlot sb = tile_slot(!TransB, t, q);
          b_tile[sb.l][sb.i] = b_next[q];
        }
        __syncthreads();
        if (k0 + kTileK < k) fetch(k0 + kTileK);  // in flight during the multiply-adds
#pragma unroll
        for (int l = 0; l < kTileK; ++l) {
          T av[kMicro], bv[kMicro];
#pragma unroll
          for (int r = 0; r < kMicro; ++r) av[r] = a_tile[l][ty + kSide * r];
#pragma unroll
          for (int q = 0; q < kMicro; ++q) bv[q] = b_tile[l][tx + kSide * q];
#pragma unroll
          for (int r = 0; r < kMicro; ++r)
#pragma unroll
            for (int q = 0; q < kMicro; ++q) acc[r][q] += av[r] * bv[q];
        }
        __syncthreads();
      }

#pragma unroll
      for (int r = 0; r < kMicro; ++r) {
        const std::int64_t i = row0 + ty + kSide * r;
        if (i >= m) continue;
#pragma unroll
        for (int q = 0; q < kMicro; ++q) {
          const std::int64_t j = col0 + tx + kSide * q;
          if (j >= n) continue;
          T& out = C[i * p.ldc + j];
          // beta == 0 overwrites without reading (C may hold garbage or NaN), as in BLAS.
          const double prior = p.beta == 0.0 ? 0.0 : p.beta * static_cast<double>(out);
          out = static_cast<T>(p.alpha * static_cast<double>(acc[r][q]) + prior);
        }
      }
    }
  }
}

}  // namespace

template <typename T>
void gemm_tiled(const GemmParams& p, const T* a, const T* b, T* c) {
  if (p.m <= 0 || p.n <= 0 || p.batch <= 0) return;
  const std::int64_t m_tiles = (p.m + kTileM - 1) / kTileM, n_tiles = (p.n + kTileN - 1) / kTileN;
  if (m_tiles > 0x7fffffff) throw CudaError("gemm_tiled: m = " + std::to_string(p.m) + " rows is too many");
  const dim3 grid(static_cast<unsigned int>(m_tiles),
                  static_cast<unsigned int>(std::min<std::int64_t>(n_tiles, kMaxGridYZ)),
                  static_cast<unsigned int>(std::min<std::int64_t>(p.batch, kMaxGridYZ)));
  if (!p.trans_a && !p.trans_b) ADVGRAD_LAUNCH((gemm_tiled_kernel<T, false, false>), grid, kThreads, 0, 0)(p, a, b, c);
  if (!p.trans_a && p.trans_b) ADVGRAD_LAUNCH((gemm_tiled_kernel<T, false, true>), grid, kThreads, 0, 0)(p, a, b, c);
  if (p.trans_a && !p.trans_b) ADVGRAD_LAUNCH((gemm_tiled_kernel<T, true, false>), grid, kThreads, 0, 0)(p, a, b, c);
  if (p.trans_a && p.trans_b) ADVGRAD_LAUNCH((gemm_tiled_kernel<T, true, true>), grid, kThreads, 0, 0)(p, a, b, c);
  check_launch("gemm_tiled_kernel");
}

template void gemm_tiled<float>(const GemmParams&, const float*, const float*, float*);
template void gemm_tiled<double>(const GemmParams&, const double*, const double*, double*);

ADVGRAD_CUDA_NAMESPACE_END
