#pragma once
// The register-blocked GEMM main loop shared by the three implicit-GEMM conv
// kernels (kernels/cuda/conv_implicit_gemm.cu), and the division helper their
// im2col gathers use. Device code: include from .cu files only.
//
// One block computes a kBM x kBN tile of C = A B (A is M x K, B is K x N), walking
// K in steps of kBK:
//   - the kThreads = 256 threads form a 16 x 16 grid; thread (ty, tx) owns the
//     4 x 4 sub-tile rows ty*4.., columns tx*4.. (register blocking: each value read
//     from shared memory feeds 4 multiply-adds);
//   - the A tile is stored transposed, As[k][m], and the B tile as Bs[k][n], so the
//     4 values a thread needs from each are contiguous: one 16-byte shared load
//     (Quad) per operand per k step for float. The B reads of a warp cover 16
//     distinct quads (no bank conflict); its A reads are 2 distinct quads (broadcast);
//   - the tiles are double-buffered: while the block multiplies tile t from
//     buffer t % 2, each thread already holds tile t + 1's values in registers
//     (loaded before the multiply, so the global latency hides behind it) and
//     stores them into the other buffer afterwards. One barrier per step
//     suffices: the buffer written in step t was last read in step t - 1, before
//     that step's barrier;
//   - A loader (the Loader template argument) says where tile elements come
//     from; each thread loads kAPerThread elements of A and kBPerThread of B at
//     fixed tile positions (a_slot, b_slot below), zero outside the matrices,
//     so ragged M, N and K need no special case.
// The rows of the A and B tiles are padded by kPad elements: the loaders'
// k-fastest stores (As[tid % 16][tid / 16 + ...]) then hit at most 2 banks per
// word instead of 16, and rows stay 16-byte aligned for the quad loads.
#include <cstdint>

#include "advgrad/kernels/cuda/namespace.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

namespace conv_gemm {

constexpr int kBM = 64, kBN = 64, kBK = 16;  // block tile and K step
constexpr int kTM = 4, kTN = 4;              // per-thread sub-tile
constexpr int kThreadCols = kBN / kTN;       // 16
constexpr int kThreads = (kBM / kTM) * kThreadCols;
constexpr int kPad = 4;
constexpr int kAPerThread = kBM * kBK / kThreads;  // 4
constexpr int kBPerThread = kBK * kBN / kThreads;  // 4
static_assert(kThreads == 256 && kAPerThread * kThreads == kBM * kBK && kBPerThread * kThreads == kBK * kBN);
static_assert(kTM == 4 && kTN == 4, "the shared-memory reads are one Quad per operand");

// Four contiguous elements read with one (float) or two (double) vector loads.
template <typename T>
struct alignas(4 * sizeof(T)) Quad {
  T v[4];
};

template <typename T>
struct Tiles {
  alignas(4 * sizeof(T)) T a[2][kBK][kBM + kPad];  // As[buffer][k][m]
  alignas(4 * sizeof(T)) T b[2][kBK][kBN + kPad];  // Bs[buffer][k][n]
};

// Tile positions of a thread's loads. A: k fastest (consecutive threads read
// consecutive k of a row). B: n fastest by default (the im2col gathers of x and
// gy are then coalesced along ow), or k fastest when the loader sets
// kBKFastest (backward-weight, whose K is the output plane).
struct Slot {
  int k, mn;
};
__device__ __forceinline__ Slot a_slot(int tid, int q) { return {tid % kBK, tid / kBK + q * (kThreads / kBK)}; }
template <bool KFastest>
__device__ __forceinline__ Slot b_slot(int tid, int q) {
  if (KFastest) return {tid % kBK, tid / kBK + q * (kThreads / kBK)};
  return {tid / kBN + q * (kThreads / kBN), tid % kBN};
}

template <typename T, bool BKFastest>
__device__ __forceinline__ void store_tiles(Tiles<T>& s, int buf, const T (&ra)[kAPerThread],
                                            const T (&rb)[kBPerThread]) {
  const int tid = static_cast<int>(threadIdx.x);
#pragma unroll
  for (int q = 0; q < kAPerThread; ++q) {
    const Slot at = a_slot(tid, q);
    s.a[buf][at.k][at.mn] = ra[q];
  }
#pragma unroll
  for (int q = 0; q < kBPerThread; ++q) {
    const Slot at = b_slot<BKFastest>(tid, q);
    s.b[buf][at.k][at.mn] = rb[q];
  }
}

// acc += A[:, kt_begin*kBK .. kt_end*kBK) B[same, :] for this block's tile.
// Block-uniform arguments; every thread must call it (it has barriers), and it
// ends with a barrier, so the tiles may be reused right after.
template <typename T, class Loader>
__device__ __forceinline__ void gemm_mainloop(Loader& loader, std::int64_t kt_begin, std::int64_t kt_end, Tiles<T>& s,
                                              T (&acc)[kTM][kTN]) {
  constexpr bool kBKFastest = Loader::kBKFastest;
  const int tid = static_cast<int>(threadIdx.x);
  const int ty = tid / kThreadCols, tx = tid % kThreadCols;
  T ra[kAPerThread], rb[kBPerThread];
  if (kt_begin < kt_end) {
    loader.load(kt_begin, ra, rb);
    store_tiles<T, kBKFastest>(s, 0, ra, rb);
  }
  __syncthreads();
  for (std::int64_t kt = kt_begin; kt < kt_end; ++kt) {
    const int buf = static_cast<int>((kt - kt_begin) & 1);
    const bool more = kt + 1 < kt_end;
    if (more) loader.load(kt + 1, ra, rb);  // in flight during the multiply below
#pragma unroll
    for (int kk = 0; kk < kBK; ++kk) {
      const Quad<T> a = *reinterpret_cast<const Quad<T>*>(&s.a[buf][kk][ty * kTM]);
      const Quad<T> b = *reinterpret_cast<const Quad<T>*>(&s.b[buf][kk][tx * kTN]);
#pragma unroll
      for (int r = 0; r < kTM; ++r)
#pragma unroll
        for (int c = 0; c < kTN; ++c) acc[r][c] += a.v[r] * b.v[c];
    }
    if (more) store_tiles<T, kBKFastest>(s, buf ^ 1, ra, rb);
    __syncthreads();
  }
}

// n / d for 0 <= n < 2^31 and 1 <= d < 2^31 with one 32 x 32 -> 64-bit multiply
// and a shift instead of a division (the gathers decode several tile indices
// per K step): q = (n m) >> s with s = 31 + ceil(log2 d) and m = ceil(2^s / d),
// which is < 2^32. As m d = 2^s + e with 0 <= e < d, n m / 2^s = n / d + n e / (d 2^s),
// and the error term is below 2^31 / 2^s <= 1 / d: too small to reach the next
// integer, since the fraction of n / d is at most (d - 1) / d.
struct FastDivmod {
  std::uint32_t divisor = 1, multiplier = 1u << 31;
  std::uint32_t shift = 31;
  __host__ __device__ __forceinline__ std::uint32_t div(std::uint32_t n) const {
    return static_cast<std::uint32_t>((static_cast<std::uint64_t>(n) * multiplier) >> shift);
  }
  // q = n / d and r = n - q d
  __host__ __device__ __forceinline__ void divmod(std::uint32_t n, std::uint32_t& q, std::uint32_t& r) const {
    q = div(n);
    r = n - q * divisor;
  }
};

inline FastDivmod make_fast_divmod(std::int64_t d) {
  std::uint32_t log2_ceil = 0;
  while ((std::int64_t{1} << log2_ceil) < d) ++log2_ceil;
  FastDivmod f;
  f.divisor = static_cast<std::uint32_t>(d);
  f.shift = 31 + log2_ceil;
  f.multiplier = static_cast<std::uint32_t>(((std::uint64_t{1} << f.shift) + static_cast<std::uint64_t>(d) - 1) /
                                            static_cast<std::uint64_t>(d));
  return f;
}

}  // namespace conv_gemm

ADVGRAD_CUDA_NAMESPACE_END
