// The implicit-GEMM conv2d kernels: the fast version. Each pass is, per group
// g, one GEMM C = A B whose im2col operand is never stored: the loaders below
// gather its kBK x kBN (or kBM x kBK) tiles from x or gy straight into shared
// memory, and kernels/cuda/conv_gemm_tile.h multiplies them (64 x 64 block tiles,
// 4 x 4 per thread, K steps of 16, double-buffered). Accumulation is in T. With
// Cg = C/groups, Og = O/groups, KK = kh kw, and "tap" t = i kw + j:
//
//   forward          C = Y_g   [Og x N OH OW]   = W_g [Og x Cg KK] . im2col(x_g) [Cg KK x N OH OW]
//                    A[m, k=(c,t)]    = w[g Og + m, c, i, j]                  (a row of w: contiguous)
//                    B[k=(c,t), (n, oh, ow)] = x[n, g Cg + c, oh sh - ph + i dh, ow sw - pw + j dw]  (0 outside)
//                    y[n, g Og + m, oh, ow] = C + b[g Og + m]
//   backward-input   C = GX_g  [Cg x N H W]     = W_g^T [Cg x Og KK] . B [Og KK x N H W]
//                    A[c, k=(o,t)]    = w[g Og + o, c, i, j]
//                    B[k=(o,t), (n, h, v)] = gy[n, g Og + o, (h + ph - i dh) / sh, (v + pw - j dw) / sw]
//                                       when both divisions are exact and land inside the output, else 0
//   backward-weight  C = GW_g  [Og x Cg KK]     = GY_g [Og x N OH OW] . im2col(x_g)^T [N OH OW x Cg KK]
//                    A[m, r=(n,oh,ow)] = gy[n, g Og + m, oh, ow],  B[r, k=(c,t)] = im2col(x_g)[k, r]
//
// Backward-input: B is the transposed gather of the forward's im2col — each
// (input pixel, tap) pair reads the one output position that used it, so the
// GEMM computes exactly the reference's gather sum (col2im without a scatter:
// every gx element is written once, no atomics). With stride s > 1, all but
// 1/(sh sw) of B's entries fail the exact-division test and are zeros; that
// wastes multiply-adds but keeps one kernel for every stride and dilation.
// (The alternative, a forward conv of a zero-dilated gy with flipped weights,
// multiplies the same zeros.)
//
// Backward-weight: the output is small (O x Cg KK) and K = N OH OW is long, so
// the K steps are split into S ranges computed by different blocks (split-K,
// S chosen from the shape alone: ~2 waves of blocks on an H200). Each range
// writes its partial C into a workspace and a second kernel adds the S
// partials of each element in order s = 0, 1, ... — no float atomics, the same
// bits every run.
//
// Index math: addresses are int64; tile coordinates (k, columns, rows) are
// 32-bit and decoded with FastDivmod, which implicit_gemm_supports() keeps in
// range (every GEMM extent below 2^31).
#include "advgrad/kernels/cuda/conv_algorithms.h"

#if defined(__CUDACC__)
#include <cuda_runtime.h>
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>

#include "advgrad/kernels/cuda/conv_gemm_tile.h"
#include "advgrad/kernels/cuda/launch.h"
#include "advgrad/kernels/cuda/launch_config.h"
#include "advgrad/kernels/cuda/runtime.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

namespace {

using namespace conv_gemm;
using Index = std::int64_t;
using U32 = std::uint32_t;

// Everything a loader needs, by value in the kernel's parameter space.
template <typename T>
struct ConvGemmArgs {
  const T* x;     // forward, backward-weight
  const T* w;     // forward, backward-input
  const T* gy;    // backward-input, backward-weight
  const T* bias;  // forward, nullable
  T* out;         // y, gx, or gw / the split-K workspace
  Index C, H, W, O, OH, OW, HW, OHW;
  int Cg, Og, groups, kw;
  int sh, sw, ph, pw, dh, dw;
  U32 M, N, K;      // the GEMM of one group
  Index out_split;  // elements between split-K partials (backward-weight)
  Index kt_per_split;
  int splits;
  FastDivmod taps;          // by kh kw
  FastDivmod tap_w;         // by kw
  FastDivmod plane;         // by OH OW (forward, backward-weight) or H W (backward-input)
  FastDivmod row;           // by OW (forward, backward-weight) or W (backward-input)
  FastDivmod str_h, str_w;  // by sh, sw
};

// ---- loaders: where the A and B tile elements of one thread come from ----
// A: slot q is row a_slot(tid, q).mn of the block's rows and column k = kt kBK + tid % kBK.

template <typename T>
struct ForwardLoader {
  static constexpr bool kBKFastest = false;
  const ConvGemmArgs<T>& a;
  Index a_off;    // w offset of A slot 0 at k = tid % kBK
  U32 a_rows;     // A slots q < a_rows lie inside M
  U32 a_k, b_k;   // this thread's k within a tile, for A and for B slot 0
  Index b_image;  // x offset of this thread's B column: image n, first channel of group g
  int h0, v0;     // oh sh - ph, ow sw - pw
  bool b_valid;   // the column lies inside N

  __device__ __forceinline__ ForwardLoader(const ConvGemmArgs<T>& args, int g, U32 m0, U32 n0, int tid) : a(args) {
    const Slot as = a_slot(tid, 0);
    a_k = static_cast<U32>(as.k);
    a_off = (static_cast<Index>(g) * a.Og + m0 + as.mn) * a.K + a_k;
    a_rows = rows_inside(m0 + static_cast<U32>(as.mn), a.M);
    const Slot bs = b_slot<false>(tid, 0);
    b_k = static_cast<U32>(bs.k);
    const U32 col = n0 + static_cast<U32>(bs.mn);
    b_valid = col < a.N;
    U32 n, p, oh, ow;
    a.plane.divmod(b_valid ? col : 0u, n, p);
    a.row.divmod(p, oh, ow);
    b_image = (static_cast<Index>(n) * a.C + static_cast<Index>(g) * a.Cg) * a.HW;
    h0 = static_cast<int>(oh) * a.sh - a.ph;
    v0 = static_cast<int>(ow) * a.sw - a.pw;
  }
  // How many of the slots m, m + 16, m + 32, ... lie below M.
  __device__ __forceinline__ static U32 rows_inside(U32 m, U32 M) {
    return m >= M ? 0u : (M - m + (kThreads / kBK) - 1) / (kThreads / kBK);
  }

  __device__ __forceinline__ void load(Index kt, T (&ra)[kAPerThread], T (&rb)[kBPerThread]) const {
    const U32 k0 = static_cast<U32>(kt) * kBK;
    const bool a_k_ok = k0 + a_k < a.K;
#pragma unroll
    for (int q = 0; q < kAPerThread; ++q)
      ra[q] = a_k_ok && static_cast<U32>(q) < a_rows
                  ? __ldg(&a.w[a_off + static_cast<Index>(q) * (kThreads / kBK) * a.K + k0])
                  : T(0);
#pragma unroll
    for (int q = 0; q < kBPerThread; ++q) {
      const U32 k = k0 + b_k + static_cast<U32>(q) * (kThreads / kBN);
      T value = T(0);
      if (b_valid && k < a.K) {
        U32 c, t, i, j;
        a.taps.divmod(k, c, t);
        a.tap_w.divmod(t, i, j);
        const int h = h0 + static_cast<int>(i) * a.dh, v = v0 + static_cast<int>(j) * a.dw;
        if (h >= 0 && h < a.H && v >= 0 && v < a.W)
          value = __ldg(&a.x[b_image + static_cast<Index>(c) * a.HW + static_cast<Index>(h) * a.W + v]);
      }
      rb[q] = value;
    }
  }
};

template <typename T>
struct BackwardInputLoader {
  static constexpr bool kBKFastest = false;
  const ConvGemmArgs<T>& a;
  Index a_group;  // w offset of filter g Og, channel m0 + (A slot 0's row)
  U32 a_rows, a_k, b_k;
  Index b_image;  // gy offset of image n, first output channel of group g
  int h, v;       // this thread's gx pixel, shifted by the padding: h + ph, v + pw
  bool b_valid;

  __device__ __forceinline__ BackwardInputLoader(const ConvGemmArgs<T>& args, int g, U32 m0, U32 n0, int tid)
      : a(args) {
    const Slot as = a_slot(tid, 0);
    a_k = static_cast<U32>(as.k);
    a_group = (static_cast<Index>(g) * a.Og * a.Cg + m0 + as.mn) * a.taps.divisor;
    a_rows = ForwardLoader<T>::rows_inside(m0 + static_cast<U32>(as.mn), a.M);
    const Slot bs = b_slot<false>(tid, 0);
    b_k = static_cast<U32>(bs.k);
    const U32 col = n0 + static_cast<U32>(bs.mn);
    b_valid = col < a.N;
    U32 n, p, hh, vv;
    a.plane.divmod(b_valid ? col : 0u, n, p);
    a.row.divmod(p, hh, vv);
    b_image = (static_cast<Index>(n) * a.O + static_cast<Index>(g) * a.Og) * a.OHW;
    h = static_cast<int>(hh) + a.ph;
    v = static_cast<int>(vv) + a.pw;
  }

  __device__ __forceinline__ void load(Index kt, T (&ra)[kAPerThread], T (&rb)[kBPerThread]) const {
    const U32 k0 = static_cast<U32>(kt) * kBK;
    {
      const U32 k = k0 + a_k;
      U32 o = 0, t = 0;
      if (k < a.K) a.taps.divmod(k, o, t);
      const Index base = a_group + static_cast<Index>(o) * a.Cg * a.taps.divisor + t;
#pragma unroll
      for (int q = 0; q < kAPerThread; ++q)
        ra[q] = k < a.K && static_cast<U32>(q) < a_rows
                    ? __ldg(&a.w[base + static_cast<Index>(q) * (kThreads / kBK) * a.taps.divisor])
                    : T(0);
    }
#pragma unroll
    for (int q = 0; q < kBPerThread; ++q) {
      const U32 k = k0 + b_k + static_cast<U32>(q) * (kThreads / kBN);
      T value = T(0);
      if (b_valid && k < a.K) {
        U32 o, t, i, j;
        a.taps.divmod(k, o, t);
        a.tap_w.divmod(t, i, j);
        const int th = h - static_cast<int>(i) * a.dh, tw = v - static_cast<int>(j) * a.dw;
        if (th >= 0 && tw >= 0) {
          U32 oh, rh, ow, rw;
          a.str_h.divmod(static_cast<U32>(th), oh, rh);
          a.str_w.divmod(static_cast<U32>(tw), ow, rw);
          if (rh == 0 && rw == 0 && oh < a.OH && ow < a.OW)
            value = __ldg(&a.gy[b_image + static_cast<Index>(o) * a.OHW + static_cast<Index>(oh) * a.OW + ow]);
        }
      }
      rb[q] = value;
    }
  }
};

// K is the reduction index r = (n, oh, ow); A and B slots share the thread's r
// (both k fastest), so one decode per K step serves all eight loads.
template <typename T>
struct BackwardWeightLoader {
  static constexpr bool kBKFastest = true;
  const ConvGemmArgs<T>& a;
  Index a_row;  // gy offset contribution of A slot 0's output channel g Og + m
  U32 a_rows, r_k;
  Index b_chan[kBPerThread];  // x offset of B slot q's channel (image 0)
  int b_dh[kBPerThread];      // i dh - ph of slot q's tap; a large negative number when the column is outside N
  int b_dw[kBPerThread];      // j dw - pw

  __device__ __forceinline__ BackwardWeightLoader(const ConvGemmArgs<T>& args, int g, U32 m0, U32 n0, int tid)
      : a(args) {
    const Slot as = a_slot(tid, 0);
    r_k = static_cast<U32>(as.k);
    a_row = (static_cast<Index>(g) * a.Og + m0 + as.mn) * a.OHW;
    a_rows = ForwardLoader<T>::rows_inside(m0 + static_cast<U32>(as.mn), a.M);
#pragma unroll
    for (int q = 0; q < kBPerThread; ++q) {
      const U32 col = n0 + static_cast<U32>(b_slot<true>(tid, q).mn);
      U32 c, t, i, j;
      a.taps.divmod(col < a.N ? col : 0u, c, t);
      a.tap_w.divmod(t, i, j);
      b_chan[q] = (static_cast<Index>(g) * a.Cg + c) * a.HW;
      b_dh[q] = col < a.N ? static_cast<int>(i) * a.dh - a.ph : -(1 << 30);
      b_dw[q] = static_cast<int>(j) * a.dw - a.pw;
    }
  }

  __device__ __forceinline__ void load(Index kt, T (&ra)[kAPerThread], T (&rb)[kBPerThread]) const {
    const U32 r = static_cast<U32>(kt) * kBK + r_k;
    const bool r_ok = r < a.K;
    U32 n = 0, p = 0, oh = 0, ow = 0;
    if (r_ok) {
      a.plane.divmod(r, n, p);
      a.row.divmod(p, oh, ow);
    }
    const Index gy_base = static_cast<Index>(n) * a.O * a.OHW + a_row + p;
#pragma unroll
    for (int q = 0; q < kAPerThread; ++q)
      ra[q] = r_ok && static_cast<U32>(q) < a_rows
                  ? __ldg(&a.gy[gy_base + static_cast<Index>(q) * (kThreads / kBK) * a.OHW])
                  : T(0);
    const Index x_image = static_cast<Index>(n) * a.C * a.HW;
    const int hs = static_cast<int>(oh) * a.sh, vs = static_cast<int>(ow) * a.sw;
#pragma unroll
    for (int q = 0; q < kBPerThread; ++q) {
      const int hh = hs + b_dh[q], vv = vs + b_dw[q];
      rb[q] = r_ok && hh >= 0 && hh < a.H && vv >= 0 && vv < a.W
                  ? __ldg(&a.x[x_image + b_chan[q] + static_cast<Index>(hh) * a.W + vv])
                  : T(0);
    }
  }
};

// ---- stores: where C[m, col] of group g (split s) goes ----
// Built from (args, g, s); column(col) decodes a C column once for the kTM
// rows a thread holds of it; operator() writes one element.

// y[n, g Og + m, oh, ow] = C + b[g Og + m], with col = (n, p = oh OW + ow).
template <typename T>
struct ForwardStore {
  const ConvGemmArgs<T>& a;
  int g;
  __device__ __forceinline__ ForwardStore(const ConvGemmArgs<T>& args, int group, int /*split*/) : a(args), g(group) {}
  struct Column {
    U32 n, p;
  };
  __device__ __forceinline__ Column column(U32 col) const {
    Column c;
    a.plane.divmod(col, c.n, c.p);
    return c;
  }
  __device__ __forceinline__ void operator()(Column c, U32 m, T value) const {
    const Index o = static_cast<Index>(g) * a.Og + m;
    a.out[(static_cast<Index>(c.n) * a.O + o) * a.OHW + c.p] = a.bias != nullptr ? value + a.bias[o] : value;
  }
};

// gx[n, g Cg + m, h, v] = C, with col = (n, p = h W + v).
template <typename T>
struct BackwardInputStore {
  const ConvGemmArgs<T>& a;
  int g;
  __device__ __forceinline__ BackwardInputStore(const ConvGemmArgs<T>& args, int group, int /*split*/)
      : a(args), g(group) {}
  using Column = typename ForwardStore<T>::Column;
  __device__ __forceinline__ Column column(U32 col) const { return ForwardStore<T>(a, g, 0).column(col); }
  __device__ __forceinline__ void operator()(Column c, U32 m, T value) const {
    a.out[(static_cast<Index>(c.n) * a.C + static_cast<Index>(g) * a.Cg + m) * a.HW + c.p] = value;
  }
};

// Partial s of gw: out[s out_split + (g Og + m) N + col] = C (row-major [O x Cg KK]).
template <typename T>
struct BackwardWeightStore {
  T* out;           // a.out + s a.out_split
  Index group_row;  // g Og
  U32 N;
  __device__ __forceinline__ BackwardWeightStore(const ConvGemmArgs<T>& a, int g, int s)
      : out(a.out + s * a.out_split), group_row(static_cast<Index>(g) * a.Og), N(a.N) {}
  using Column = U32;
  __device__ __forceinline__ Column column(U32 col) const { return col; }
  __device__ __forceinline__ void operator()(Column col, U32 m, T value) const {
    out[(group_row + m) * N + col] = value;
  }
};

// Blocks per SM the register budget must allow: 3 for float (at most 85
// registers a thread; ptxas fits the kernels in 79 without spilling, and 24
// warps per SM hide more gather latency than 16), 2 for double (128 registers:
// the 4 x 4 accumulators and both fragments alone take 64).
template <typename T>
constexpr int kMinBlocksPerSm = sizeof(T) == sizeof(float) ? 3 : 2;

// ---- kernels: grid (column tiles, row tiles, groups [x splits]) ----
// gridDim.z is capped at 65535, so each block loops over z (block-uniform, so
// the barriers inside gemm_mainloop are reached by the whole block).
//
// The body every pass shares: for each z, build the loader, run the mainloop
// over this z's K steps, and hand this thread's 4 x 4 tile, clipped to M x N,
// to the store. Without split-K, z = g and the K range is all of K; with it,
// z = g * splits + s: K steps [s kt_per_split, (s + 1) kt_per_split) of group g,
// written to partial s of a.out (gw itself when there is one split).
template <typename Loader, typename Store, bool kSplitK, typename T>
__device__ __forceinline__ void implicit_gemm_body(const ConvGemmArgs<T>& a, Tiles<T>& tiles) {
  const int tid = static_cast<int>(threadIdx.x);
  const U32 m0 = blockIdx.y * kBM, n0 = blockIdx.x * kBN;
  const Index ktiles = (static_cast<Index>(a.K) + kBK - 1) / kBK;
  const int zs = kSplitK ? a.groups * a.splits : a.groups;
  for (int z = static_cast<int>(blockIdx.z); z < zs; z += static_cast<int>(gridDim.z)) {
    const int g = kSplitK ? z / a.splits : z, s = kSplitK ? z % a.splits : 0;
    Loader loader(a, g, m0, n0, tid);
    T acc[kTM][kTN] = {};
    Index kt_begin = 0, kt_end = ktiles;
    if constexpr (kSplitK) {
      kt_begin = s * a.kt_per_split;
      kt_end = kt_begin + a.kt_per_split < ktiles ? kt_begin + a.kt_per_split : ktiles;
    }
    gemm_mainloop(loader, kt_begin, kt_end, tiles, acc);
    const Store store(a, g, s);
    const U32 m_first = m0 + static_cast<U32>(tid / kThreadCols) * kTM;
    const U32 n_first = n0 + static_cast<U32>(tid % kThreadCols) * kTN;
#pragma unroll
    for (int c = 0; c < kTN; ++c) {
      const U32 col = n_first + static_cast<U32>(c);
      if (col >= a.N) continue;
      const typename Store::Column column = store.column(col);
#pragma unroll
      for (int r = 0; r < kTM; ++r) {
        const U32 m = m_first + static_cast<U32>(r);
        if (m < a.M) store(column, m, acc[r][c]);
      }
    }
  }
}

template <typename T>
__global__ void __launch_bounds__(kThreads, kMinBlocksPerSm<T>) conv2d_forward_gemm_kernel(ConvGemmArgs<T> a) {
  __shared__ Tiles<T> tiles;
  implicit_gemm_body<ForwardLoader<T>, ForwardStore<T>, false>(a, tiles);
}

template <typename T>
__global__ void __launch_bounds__(kThreads, kMinBlocksPerSm<T>) conv2d_backward_input_gemm_kernel(ConvGemmArgs<T> a) {
  __shared__ Tiles<T> tiles;
  implicit_gemm_body<BackwardInputLoader<T>, BackwardInputStore<T>, false>(a, tiles);
}

template <typename T>
__global__ void __launch_bounds__(kThreads, kMinBlocksPerSm<T>) conv2d_backward_weight_gemm_kernel(ConvGemmArgs<T> a) {
  __shared__ Tiles<T> tiles;
  implicit_gemm_body<BackwardWeightLoader<T>, BackwardWeightStore<T>, true>(a, tiles);
}

// gw[e] = sum_{s < splits} partials[s * count + e], in order s = 0, 1, ...
template <typename T>
__global__ void split_k_sum_kernel(const T* __restrict__ partials, Index count, int splits, T* __restrict__ gw) {
  for (Index e = static_cast<Index>(blockIdx.x) * blockDim.x + threadIdx.x; e < count;
       e += static_cast<Index>(blockDim.x) * gridDim.x) {
    T sum = partials[e];
    for (int s = 1; s < splits; ++s) sum += partials[s * count + e];
    gw[e] = sum;
  }
}

// ---- host side ----

constexpr Index kMaxExtent = (Index{1} << 31) - 2 * kBN * kBK;  // room for a tile past the last index
constexpr unsigned kMaxGridZ = 65535;
// Split-K: aim for ~2 waves of 256-thread blocks on an H200 (132 SMs), give
// every split at least kMinKTilesPerSplit K steps, and at most kMaxSplits.
constexpr Index kTargetBlocks = 2 * 132;
constexpr Index kMinKTilesPerSplit = 4;
constexpr Index kMaxSplits = 64;

Index ceil_div(Index a, Index b) { return (a + b - 1) / b; }

template <typename T>
ConvGemmArgs<T> make_args(const Conv2dParams& p, bool input_plane) {
  ConvGemmArgs<T> a{};
  a.C = p.C;
  a.H = p.H;
  a.W = p.W;
  a.O = p.O;
  a.OH = p.OH;
  a.OW = p.OW;
  a.HW = p.H * p.W;
  a.OHW = p.OH * p.OW;
  a.Cg = static_cast<int>(p.C / p.groups);
  a.Og = static_cast<int>(p.O / p.groups);
  a.groups = static_cast<int>(p.groups);
  a.kw = static_cast<int>(p.kw);
  a.sh = static_cast<int>(p.stride_h);
  a.sw = static_cast<int>(p.stride_w);
  a.ph = static_cast<int>(p.pad_h);
  a.pw = static_cast<int>(p.pad_w);
  a.dh = static_cast<int>(p.dilation_h);
  a.dw = static_cast<int>(p.dilation_w);
  a.splits = 1;
  a.taps = make_fast_divmod(p.kh * p.kw);
  a.tap_w = make_fast_divmod(p.kw);
  a.plane = make_fast_divmod(input_plane ? p.H * p.W : p.OH * p.OW);
  a.row = make_fast_divmod(input_plane ? p.W : p.OW);
  a.str_h = make_fast_divmod(p.stride_h);
  a.str_w = make_fast_divmod(p.stride_w);
  return a;
}

dim3 gemm_grid(Index M, Index N, Index z) {
  return dim3(static_cast<unsigned>(ceil_div(N, kBN)), static_cast<unsigned>(ceil_div(M, kBM)),
              static_cast<unsigned>(std::min<Index>(z, kMaxGridZ)));
}

// The split-K partials, cached per device and grown on demand (never shrunk:
// the size is bounded by ~kTargetBlocks tiles). The lock is held while the
// two kernels that use it are queued; both go to the default stream, so a
// later call's kernels run after them.
struct SplitWorkspace {
  std::mutex mutex;
  std::map<int, std::pair<void*, std::size_t>> by_device;
};
SplitWorkspace& split_workspace() {
  static SplitWorkspace* w = new SplitWorkspace;  // never destroyed: freed with the process
  return *w;
}

}  // namespace

bool implicit_gemm_supports(const Conv2dParams& p) {
  const Index Cg = p.C / p.groups, Og = p.O / p.groups, taps = p.kh * p.kw;
  const Index extents[] = {Cg * taps,         Og * taps,        p.N * p.OH * p.OW,   p.N * p.H * p.W,
                           p.H + p.pad_h,     p.W + p.pad_w,    p.dilation_h * p.kh, p.dilation_w * p.kw,
                           p.stride_h * p.OH, p.stride_w * p.OW};
  for (Index e : extents)
    if (e >= kMaxExtent) return false;
  // Row tiles go on gridDim.y (at most 65535).
  return ceil_div(std::max(Cg, Og), kBM) <= 65535;
}

template <typename T>
void conv2d_forward_implicit_gemm(const Conv2dParams& p, const T* x, const T* w, const T* bias, T* y) {
  ConvGemmArgs<T> a = make_args<T>(p, false);
  a.x = x;
  a.w = w;
  a.bias = bias;
  a.out = y;
  a.M = static_cast<U32>(a.Og);
  a.K = static_cast<U32>(a.Cg * p.kh * p.kw);
  a.N = static_cast<U32>(p.N * a.OHW);
  ADVGRAD_LAUNCH(conv2d_forward_gemm_kernel<T>, gemm_grid(a.M, a.N, p.groups), kThreads, 0, 0)(a);
  check_launch("conv2d_forward_gemm_kernel");
}

template <typename T>
void conv2d_backward_input_implicit_gemm(const Conv2dParams& p, const T* gy, const T* w, T* gx) {
  ConvGemmArgs<T> a = make_args<T>(p, true);
  a.gy = gy;
  a.w = w;
  a.out = gx;
  a.M = static_cast<U32>(a.Cg);
  a.K = static_cast<U32>(a.Og * p.kh * p.kw);
  a.N = static_cast<U32>(p.N * a.HW);
  ADVGRAD_LAUNCH(conv2d_backward_input_gemm_kernel<T>, gemm_grid(a.M, a.N, p.groups), kThreads, 0, 0)(a);
  check_launch("conv2d_backward_input_gemm_kernel");
}

template <typename T>
void conv2d_backward_weight_implicit_gemm(const Conv2dParams& p, const T* x, const T* gy, T* gw) {
  ConvGemmArgs<T> a = make_args<T>(p, false);
  a.x = x;
  a.gy = gy;
  a.M = static_cast<U32>(a.Og);
  a.N = static_cast<U32>(a.Cg * p.kh * p.kw);
  a.K = static_cast<U32>(p.N * a.OHW);
  const Index ktiles = ceil_div(a.K, kBK);
  const Index tiles = ceil_div(a.M, kBM) * ceil_div(a.N, kBN) * p.groups;
  Index splits = std::min({ceil_div(kTargetBlocks, tiles), ceil_div(ktiles, kMinKTilesPerSplit), kMaxSplits});
  splits = std::max<Index>(splits, 1);
  a.kt_per_split = std::max<Index>(ceil_div(ktiles, splits), 1);
  splits = std::max<Index>(ceil_div(ktiles, a.kt_per_split), 1);  // no empty split
  a.splits = static_cast<int>(splits);
  const Index count = p.O * a.N;  // elements of gw
  a.out_split = count;
  if (splits == 1) {
    a.out = gw;
    ADVGRAD_LAUNCH(conv2d_backward_weight_gemm_kernel<T>, gemm_grid(a.M, a.N, p.groups), kThreads, 0, 0)(a);
    check_launch("conv2d_backward_weight_gemm_kernel");
    return;
  }
  SplitWorkspace& ws = split_workspace();
  std::lock_guard lock(ws.mutex);
  int device = 0;
  if (cudaGetDevice(&device) != cudaSuccess) device = -1;
  auto& [ptr, bytes] = ws.by_device[device];
  const std::size_t need = static_cast<std::size_t>(splits * count) * sizeof(T);
  if (bytes < need) {
    if (ptr != nullptr) device_free(ptr);
    ptr = nullptr;
    bytes = 0;
    ptr = device_malloc(need);
    bytes = need;
  }
  a.out = static_cast<T*>(ptr);
  ADVGRAD_LAUNCH(conv2d_backward_weight_gemm_kernel<T>, gemm_grid(a.M, a.N, p.groups * splits), kThreads, 0, 0)(a);
  check_launch("conv2d_backward_weight_gemm_kernel");
  ADVGRAD_LAUNCH(split_k_sum_kernel<T>, grid_for(count), kElementwiseBlock, 0, 0)(a.out, count, a.splits, gw);
  check_launch("split_k_sum_kernel");
}

#define ADVGRAD_CONV_GEMM_INSTANTIATE(T)                                                                \
  template void conv2d_forward_implicit_gemm<T>(const Conv2dParams&, const T*, const T*, const T*, T*); \
  template void conv2d_backward_input_implicit_gemm<T>(const Conv2dParams&, const T*, const T*, T*);    \
  template void conv2d_backward_weight_implicit_gemm<T>(const Conv2dParams&, const T*, const T*, T*);
ADVGRAD_CONV_GEMM_INSTANTIATE(float)
ADVGRAD_CONV_GEMM_INSTANTIATE(double)
#undef ADVGRAD_CONV_GEMM_INSTANTIATE

ADVGRAD_CUDA_NAMESPACE_END
