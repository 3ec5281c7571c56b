// AVX2 + FMA GEMM micro-kernels (float 6 x 16, double 6 x 8): 12 of the 16
// ymm registers accumulate, 2 hold the row of B, one the broadcast of A.
// Compiled for baseline x86-64; only these functions carry the AVX2 target
// and they run only when cpu_isa() says so.
// GCC 12 reports its own _mm512_undefined_ps() (a deliberate self-initialised
// placeholder inside the unpack/shuffle intrinsics) as maybe-uninitialized
// once inlined; the pragma must precede the header to cover it.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstdint>
#include <utility>

#include "advgrad/kernels/cpu/gemm_microkernels.h"

namespace advgrad::kernels::cpu::gemm_detail {
namespace {

#define GEMM_TARGET __attribute__((target("avx2,fma")))
#define GEMM_INLINE GEMM_TARGET __attribute__((always_inline)) inline

struct F32 {
  using T = float;
  using V = __m256;
  static constexpr int W = 8;
  static GEMM_INLINE V zero() { return _mm256_setzero_ps(); }
  static GEMM_INLINE V load(const T* p) { return _mm256_loadu_ps(p); }
  static GEMM_INLINE V load_n(const T* p, int n) { return _mm256_maskload_ps(p, mask(n)); }
  static GEMM_INLINE void store(T* p, V v) { _mm256_storeu_ps(p, v); }
  static GEMM_INLINE void store_n(T* p, V v, int n) { _mm256_maskstore_ps(p, mask(n), v); }
  static GEMM_INLINE V bcast(const T* p) { return _mm256_broadcast_ss(p); }
  static GEMM_INLINE V set1(T x) { return _mm256_set1_ps(x); }
  static GEMM_INLINE V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static GEMM_INLINE V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  // Lanes i < n all ones.
  static GEMM_INLINE __m256i mask(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }

  // 8 x 8 transpose: interleave 32-bit pairs, pick 64-bit pairs, swap 128-bit halves.
  static GEMM_INLINE void transpose(V r[8]) {
    V t[8], s[8];
#pragma GCC unroll 8
    for (int i = 0; i < 8; i += 2) {
      t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);      // columns 0 1 | 4 5 of rows i, i+1
      t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);  // columns 2 3 | 6 7
    }
#pragma GCC unroll 8
    for (int i = 0; i < 8; i += 4) {
      s[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);      // column 0 | 4 of rows i..i+3
      s[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xee);  // column 1 | 5
      s[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);  // column 2 | 6
      s[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xee);  // column 3 | 7
    }
#pragma GCC unroll 8
    for (int c = 0; c < 4; ++c) {
      r[c] = _mm256_permute2f128_ps(s[c], s[c + 4], 0x20);
      r[c + 4] = _mm256_permute2f128_ps(s[c], s[c + 4], 0x31);
    }
  }
};

struct F64 {
  using T = double;
  using V = __m256d;
  static constexpr int W = 4;
  static GEMM_INLINE V zero() { return _mm256_setzero_pd(); }
  static GEMM_INLINE V load(const T* p) { return _mm256_loadu_pd(p); }
  static GEMM_INLINE V load_n(const T* p, int n) { return _mm256_maskload_pd(p, mask(n)); }
  static GEMM_INLINE void store(T* p, V v) { _mm256_storeu_pd(p, v); }
  static GEMM_INLINE void store_n(T* p, V v, int n) { _mm256_maskstore_pd(p, mask(n), v); }
  static GEMM_INLINE V bcast(const T* p) { return _mm256_broadcast_sd(p); }
  static GEMM_INLINE V set1(T x) { return _mm256_set1_pd(x); }
  static GEMM_INLINE V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static GEMM_INLINE V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static GEMM_INLINE __m256i mask(int n) {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3));
  }

  // 4 x 4 transpose: interleave 64-bit pairs, then swap 128-bit halves.
  static GEMM_INLINE void transpose(V r[4]) {
    const V t0 = _mm256_unpacklo_pd(r[0], r[1]), t1 = _mm256_unpackhi_pd(r[0], r[1]);  // columns 0|2, 1|3
    const V t2 = _mm256_unpacklo_pd(r[2], r[3]), t3 = _mm256_unpackhi_pd(r[2], r[3]);
    r[0] = _mm256_permute2f128_pd(t0, t2, 0x20);
    r[1] = _mm256_permute2f128_pd(t1, t3, 0x20);
    r[2] = _mm256_permute2f128_pd(t0, t2, 0x31);
    r[3] = _mm256_permute2f128_pd(t1, t3, 0x31);
  }
};

#include "advgrad/kernels/cpu/gemm_microkernel_impl.h"

#undef GEMM_INLINE
#undef GEMM_TARGET

}  // namespace

const KernelSet<float>& avx2_kernels_f32() {
  static const KernelSet<float> s = make_kernel_set<F32, 6>("avx2", 256, 240, 4096);
  return s;
}
const KernelSet<double>& avx2_kernels_f64() {
  static const KernelSet<double> s = make_kernel_set<F64, 6>("avx2", 256, 120, 2048);
  return s;
}

}  // namespace advgrad::kernels::cpu::gemm_detail
