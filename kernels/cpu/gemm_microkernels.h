#pragma once
// Internal to the fast GEMM (kernels/cpu/gemm.cpp): the register-blocked
// micro-kernels, one set per instruction set, and the cache blocking that
// goes with each.
//
// A micro-kernel computes one MR x NR tile of C from packed panels:
//   C[i][j] = alpha * sum_{p < kc} a[p*MR + i] * b[p*NR + j] + beta * C[i][j]
// for i < rows (the template row count; rows <= MR), j < NR. `a` holds MR
// values per k step (zero-padded past the matrix edge), `b` holds NR.
// With beta == 0, C is written without being read (it may hold NaN garbage).
//
// Every element is one accumulator updated in p order (one FMA per step), so
// its value does not depend on which tile, which row count or which thread
// computed it: results are bit-identical for any thread count.
#include <cstdint>

namespace advgrad::kernels::cpu::gemm_detail {

template <typename T>
using MicroKernel = void (*)(std::int64_t kc, const T* a, const T* b, T* c, std::int64_t ldc, T alpha, T beta);

// Packing into panels of `width` values per k step (width = mr for A, nr for B).
// Transposing: dst[l*width + r] = src[r*ld + l] for r < rows, l < kc
//   (op(A) not transposed: rows of A; op(B) transposed: rows of B).
// Copying:     dst[l*width + c] = src[l*ld + c] for c < cols, l < kc
//   (op(A) transposed, op(B) not transposed).
// Both zero-pad the panel up to `width`.
template <typename T>
using PackFn = void (*)(const T* src, std::int64_t ld, std::int64_t count, std::int64_t kc, int width, T* dst);

inline constexpr int kMaxMr = 16;

template <typename T>
struct KernelSet {
  const char* name = "";
  int mr = 0, nr = 0;           // register tile
  int kc = 0, mc = 0, nc = 0;   // cache blocks: kc x nr panel of B in L1, mc x kc block of A in L2
  MicroKernel<T> kernel[kMaxMr] = {};  // kernel[r - 1] computes the first r rows of a tile
  PackFn<T> pack_transposed = nullptr;
  PackFn<T> pack_copy = nullptr;
};

// The caller checks cpu_isa() before using a SIMD set.
const KernelSet<float>& avx512_kernels_f32();
const KernelSet<double>& avx512_kernels_f64();
const KernelSet<float>& avx2_kernels_f32();
const KernelSet<double>& avx2_kernels_f64();
const KernelSet<float>& scalar_kernels_f32();
const KernelSet<double>& scalar_kernels_f64();

}  // namespace advgrad::kernels::cpu::gemm_detail
