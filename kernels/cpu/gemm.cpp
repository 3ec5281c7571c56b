// Fast CPU GEMM: C = alpha op(A) op(B) + beta C, batched, row-major.
//
// Large products follow the GotoBLAS / BLIS scheme. For each block of
// nc columns of C and kc of the k dimension, op(B) is packed into nr-column
// panels (kc x nr, contiguous: one panel stays in L1 while it is used); for
// each block of mc rows, op(A) is packed into mr-row panels (the mc x kc block
// stays in L2). A register-blocked SIMD micro-kernel (gemm_microkernels.h)
// then computes mr x nr tiles of C with one FMA per element and k step.
// Packing turns every transposition and leading dimension into the same
// contiguous layout, so the micro-kernel never sees trans_a/trans_b/lda/ldb.
//
//   for jc in n step nc:              (B block kc x nc)
//     for pc in k step kc:            pack op(B)[pc.., jc..]; beta only on pc == 0
//       for ic in m step mc:          pack op(A)[ic.., pc..]
//         for jr in nc step nr:       one B panel
//           for ir in mc step mr:     micro-kernel on the mr x nr tile
//
// Threads split C into rectangles (or the batch into items); each thread runs
// the whole loop nest above on its own rectangle with its own packing buffers.
// The k blocking depends only on k, and each element of C is one accumulator
// updated in k order, so results are bit-identical for any thread count.
//
// Small products (and vector-shaped ones, m == 1 or n == 1) skip packing and
// run plain loops: packing would cost as much as the arithmetic.
#include "advgrad/kernels/cpu/gemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "advgrad/kernels/cpu/cpu_features.h"
#include "advgrad/kernels/cpu/gemm_microkernels.h"
#include "advgrad/kernels/cpu/parallel.h"

namespace advgrad::kernels::cpu {
namespace {

using gemm_detail::KernelSet;
using std::int64_t;

// Below this many multiply-adds the plain loops win over packing.
constexpr int64_t kSmallMacs = 16 * 16 * 16;
// Below this many multiply-adds per product one thread does it all: waking
// the pool costs more than it saves.
constexpr int64_t kParallelMacs = 64 * 64 * 64;

template <typename T>
const KernelSet<T>& kernels_for(Isa isa) {
  if constexpr (sizeof(T) == 4) {
    if (isa == Isa::Avx512) return gemm_detail::avx512_kernels_f32();
    if (isa == Isa::Avx2) return gemm_detail::avx2_kernels_f32();
    return gemm_detail::scalar_kernels_f32();
  } else {
    if (isa == Isa::Avx512) return gemm_detail::avx512_kernels_f64();
    if (isa == Isa::Avx2) return gemm_detail::avx2_kernels_f64();
    return gemm_detail::scalar_kernels_f64();
  }
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// A growable, 64-byte aligned scratch buffer; one per thread and role, kept
// between calls so steady-state GEMMs allocate nothing.
class Scratch {
 public:
  ~Scratch() { std::free(ptr_); }
  template <typename T>
  T* get(int64_t count) {
    const std::size_t bytes = (static_cast<std::size_t>(count) * sizeof(T) + 63) / 64 * 64;
    if (bytes > bytes_) {
      std::free(ptr_);
      ptr_ = std::aligned_alloc(64, bytes);
      if (ptr_ == nullptr) throw std::bad_alloc();
      bytes_ = bytes;
    }
    return static_cast<T*>(ptr_);
  }

 private:
  void* ptr_ = nullptr;
  std::size_t bytes_ = 0;
};

thread_local Scratch tls_pack_a, tls_pack_b;

// ---------------------------------------------------------------- plain loops

// C = beta C (k == 0: the product is empty). beta == 0 overwrites.
template <typename T>
void scale_c(const GemmParams& p, T* C) {
  const T beta = static_cast<T>(p.beta);
  for (int64_t i = 0; i < p.m; ++i) {
    T* row = C + i * p.ldc;
    for (int64_t j = 0; j < p.n; ++j) row[j] = beta == T(0) ? T(0) : beta * row[j];
  }
}

// Rows [i0, i1) x columns [j0, j1) of C without packing. Accumulates in T in
// k order, then C = alpha * acc + beta * C.
template <typename T>
void small_gemm(const GemmParams& p, const T* A, const T* B, T* C, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
  const T alpha = static_cast<T>(p.alpha), beta = static_cast<T>(p.beta);
  const int64_t a_row = p.trans_a ? 1 : p.lda, a_col = p.trans_a ? p.lda : 1;  // op(A)[i][l]
  auto finish = [&](T* c, T acc) { *c = beta == T(0) ? alpha * acc : alpha * acc + beta * *c; };
  if (!p.trans_b) {
    // op(B) rows are contiguous: C row i += op(A)[i][l] * B row l (vectorises over j).
    constexpr int64_t kChunk = 256;
    T acc[kChunk];
    for (int64_t i = i0; i < i1; ++i) {
      for (int64_t jb = j0; jb < j1; jb += kChunk) {
        const int64_t w = std::min(kChunk, j1 - jb);
        std::fill(acc, acc + w, T(0));
        for (int64_t l = 0; l < p.k; ++l) {
          const T av = A[i * a_row + l * a_col];
          const T* brow = B + l * p.ldb + jb;
          for (int64_t j = 0; j < w; ++j) acc[j] += av * brow[j];
        }
        T* crow = C + i * p.ldc + jb;
        for (int64_t j = 0; j < w; ++j) finish(crow + j, acc[j]);
      }
    }
  } else {
    // op(B) columns are contiguous rows of B: dot products.
    for (int64_t i = i0; i < i1; ++i) {
      const T* arow = A + i * a_row;
      for (int64_t j = j0; j < j1; ++j) {
        const T* bcol = B + j * p.ldb;
        T acc = 0;
        for (int64_t l = 0; l < p.k; ++l) acc += arow[l * a_col] * bcol[l];
        finish(C + i * p.ldc + j, acc);
      }
    }
  }
}

// ---------------------------------------------------------------- packing

// op(A)[i0 + r][p0 + l] for r < rows, l < kc -> panels of mr rows:
// panel q holds element (l, r) at dst[q*mr*kc + l*mr + r], zero-padded to mr.
template <typename T>
void pack_a(const KernelSet<T>& ks, const GemmParams& p, const T* A, int64_t i0, int64_t rows, int64_t p0,
            int64_t kc, T* dst) {
  const int mr = ks.mr;
  for (int64_t q = 0; q < rows; q += mr, dst += mr * kc) {
    const int64_t n = std::min<int64_t>(mr, rows - q);
    if (p.trans_a) ks.pack_copy(A + p0 * p.lda + i0 + q, p.lda, n, kc, mr, dst);  // op(A)[i][l] = A[l*lda + i]
    else ks.pack_transposed(A + (i0 + q) * p.lda + p0, p.lda, n, kc, mr, dst);    // op(A)[i][l] = A[i*lda + l]
  }
}

// op(B)[p0 + l][j0 + c] for l < kc, c < cols -> panels of nr columns:
// panel q holds element (l, c) at dst[q*nr*kc + l*nr + c], zero-padded to nr.
template <typename T>
void pack_b(const KernelSet<T>& ks, const GemmParams& p, const T* B, int64_t j0, int64_t cols, int64_t p0,
            int64_t kc, T* dst) {
  const int nr = ks.nr;
  for (int64_t q = 0; q < cols; q += nr, dst += nr * kc) {
    const int64_t n = std::min<int64_t>(nr, cols - q);
    if (p.trans_b) ks.pack_transposed(B + (j0 + q) * p.ldb + p0, p.ldb, n, kc, nr, dst);  // op(B)[l][j] = B[j*ldb + l]
    else ks.pack_copy(B + p0 * p.ldb + j0 + q, p.ldb, n, kc, nr, dst);                    // op(B)[l][j] = B[l*ldb + j]
  }
}

// ---------------------------------------------------------------- blocked path

// Block sizes for a range: at most `cap`, a multiple of `unit`, and as even as
// possible (no thin last block).
int64_t balanced_block(int64_t extent, int64_t cap, int64_t unit) {
  const int64_t blocks = ceil_div(extent, cap);
  return std::max<int64_t>(unit, ceil_div(ceil_div(extent, blocks), unit) * unit);
}

// The loop nest of the file comment on C[i0:i1, j0:j1], one thread.
template <typename T>
void blocked_gemm(const KernelSet<T>& ks, const GemmParams& p, const T* A, const T* B, T* C, int64_t i0, int64_t i1,
                  int64_t j0, int64_t j1) {
  const int mr = ks.mr, nr = ks.nr;
  const int64_t kc_max = balanced_block(p.k, ks.kc, 1);  // depends on k only: same for every thread
  const int64_t mc_max = balanced_block(i1 - i0, ks.mc, mr);
  const int64_t nc_max = balanced_block(j1 - j0, ks.nc, nr);
  T* pa = tls_pack_a.get<T>(mc_max * kc_max);
  T* pb = tls_pack_b.get<T>(nc_max * kc_max);
  const T alpha = static_cast<T>(p.alpha);
  alignas(64) T tile[gemm_detail::kMaxMr * 64];  // edge tiles narrower than nr

  for (int64_t jc = j0; jc < j1; jc += nc_max) {
    const int64_t nc = std::min(nc_max, j1 - jc);
    for (int64_t pc = 0; pc < p.k; pc += kc_max) {
      const int64_t kc = std::min(kc_max, p.k - pc);
      const T beta = pc == 0 ? static_cast<T>(p.beta) : T(1);
      pack_b(ks, p, B, jc, nc, pc, kc, pb);
      for (int64_t ic = i0; ic < i1; ic += mc_max) {
        const int64_t mc = std::min(mc_max, i1 - ic);
        pack_a(ks, p, A, ic, mc, pc, kc, pa);
        for (int64_t jr = 0; jr < nc; jr += nr) {
          const int64_t cols = std::min<int64_t>(nr, nc - jr);
          const T* bpanel = pb + jr * kc;
          for (int64_t ir = 0; ir < mc; ir += mr) {
            const int64_t rows = std::min<int64_t>(mr, mc - ir);
            const auto kernel = ks.kernel[rows - 1];
            const T* apanel = pa + ir * kc;
            T* c = C + (ic + ir) * p.ldc + jc + jr;
            if (cols == nr) {
              kernel(kc, apanel, bpanel, c, p.ldc, alpha, beta);
              continue;
            }
            // Narrow edge: run the same kernel on a full-width copy, so the
            // arithmetic per element is exactly that of a full tile.
            for (int64_t r = 0; r < rows; ++r)
              for (int64_t j = 0; j < nr; ++j) tile[r * nr + j] = j < cols && beta != T(0) ? c[r * p.ldc + j] : T(0);
            kernel(kc, apanel, bpanel, tile, nr, alpha, beta);
            for (int64_t r = 0; r < rows; ++r) std::memcpy(c + r * p.ldc, tile + r * nr, cols * sizeof(T));
          }
        }
      }
    }
  }
}

// [lo, hi) of part `idx` of `parts` over [0, extent), boundaries on multiples of unit.
std::pair<int64_t, int64_t> part_range(int64_t extent, int64_t unit, int64_t parts, int64_t idx) {
  const int64_t units = ceil_div(extent, unit);
  return {std::min(extent, units * idx / parts * unit), std::min(extent, units * (idx + 1) / parts * unit)};
}

// Thread grid tm x tn for an m x n product: minimises the per-thread tile
// work (in multiply-adds, with padding to whole tiles) plus packing, which
// each thread does for its own rows of A and columns of B.
std::pair<int, int> thread_grid(int threads, int64_t m, int64_t n, int mr, int nr) {
  std::pair<int, int> best{threads, 1};
  double best_cost = -1;
  for (int tm = 1; tm <= threads; ++tm) {
    if (threads % tm != 0) continue;
    const int tn = threads / tm;
    const double rows = static_cast<double>(ceil_div(ceil_div(m, mr), tm) * mr);
    const double cols = static_cast<double>(ceil_div(ceil_div(n, nr), tn) * nr);
    const double cost = rows * cols / 32.0 + 0.5 * (rows + cols);
    if (best_cost < 0 || cost < best_cost) {
      best_cost = cost;
      best = {tm, tn};
    }
  }
  return best;
}

}  // namespace

template <typename T>
void gemm(const GemmParams& p, const T* a, const T* b, T* c) {
  if (p.m <= 0 || p.n <= 0 || p.batch <= 0) return;
  auto item_a = [&](int64_t bt) { return a + bt * p.stride_a; };
  auto item_b = [&](int64_t bt) { return b + bt * p.stride_b; };
  auto item_c = [&](int64_t bt) { return c + bt * p.stride_c; };
  const int64_t macs = p.m * p.n * p.k;
  const int threads = get_num_threads();

  if (p.k <= 0) {
    for (int64_t bt = 0; bt < p.batch; ++bt) scale_c(p, item_c(bt));
    return;
  }

  if (macs < kSmallMacs || p.m == 1 || p.n == 1) {
    // Plain loops; threads over batch items, else over rows (or columns when m == 1).
    if (p.batch > 1) {
      const int64_t grain = std::max<int64_t>(1, kParallelMacs / std::max<int64_t>(macs, 1));
      parallel_for(0, p.batch, grain, [&](int64_t b0, int64_t b1) {
        for (int64_t bt = b0; bt < b1; ++bt) small_gemm(p, item_a(bt), item_b(bt), item_c(bt), 0, p.m, 0, p.n);
      });
    } else if (p.m > 1) {
      const int64_t grain = std::max<int64_t>(1, kParallelMacs / std::max<int64_t>(p.n * p.k, 1));
      parallel_for(0, p.m, grain, [&](int64_t i0, int64_t i1) { small_gemm(p, a, b, c, i0, i1, 0, p.n); });
    } else {
      const int64_t grain = std::max<int64_t>(64, kParallelMacs / std::max<int64_t>(p.k, 1));
      parallel_for(0, p.n, grain, [&](int64_t j0, int64_t j1) { small_gemm(p, a, b, c, 0, 1, j0, j1); });
    }
    return;
  }

  const KernelSet<T>& ks = kernels_for<T>(cpu_isa());
  if (threads == 1 || macs * p.batch < kParallelMacs) {
    for (int64_t bt = 0; bt < p.batch; ++bt) blocked_gemm(ks, p, item_a(bt), item_b(bt), item_c(bt), 0, p.m, 0, p.n);
    return;
  }
  if (p.batch % threads == 0 || p.batch >= 4 * threads) {
    // Whole products per thread.
    parallel_for(0, p.batch, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t bt = b0; bt < b1; ++bt) blocked_gemm(ks, p, item_a(bt), item_b(bt), item_c(bt), 0, p.m, 0, p.n);
    });
    return;
  }
  // One product at a time, its C split into a tm x tn grid of rectangles.
  const auto [tm, tn] = thread_grid(threads, p.m, p.n, ks.mr, ks.nr);
  for (int64_t bt = 0; bt < p.batch; ++bt) {
    parallel_for(0, tm * tn, 1, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) {
        const auto [i0, i1] = part_range(p.m, ks.mr, tm, t / tn);
        const auto [j0, j1] = part_range(p.n, ks.nr, tn, t % tn);
        if (i0 < i1 && j0 < j1) blocked_gemm(ks, p, item_a(bt), item_b(bt), item_c(bt), i0, i1, j0, j1);
      }
    });
  }
}

template void gemm<float>(const GemmParams&, const float*, const float*, float*);
template void gemm<double>(const GemmParams&, const double*, const double*, double*);

}  // namespace advgrad::kernels::cpu
