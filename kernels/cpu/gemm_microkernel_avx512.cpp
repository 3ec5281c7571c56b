// AVX-512 GEMM micro-kernels (float 12 x 32, double 12 x 16): 24 of the 32
// zmm registers accumulate, 2 hold the row of B, one the broadcast of A.
// Compiled for baseline x86-64; only these functions carry the AVX-512 target
// and they run only when cpu_isa() says so.
// GCC 12 reports its own _mm512_undefined_ps() (a deliberate self-initialised
// placeholder inside the unpack/shuffle intrinsics) as maybe-uninitialized
// once inlined; the pragma must precede the header to cover it.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstdint>
#include <utility>

#include "advgrad/kernels/cpu/avx512_transpose.h"
#include "advgrad/kernels/cpu/gemm_microkernels.h"

namespace advgrad::kernels::cpu::gemm_detail {
namespace {

#define GEMM_TARGET __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma")))
#define GEMM_INLINE GEMM_TARGET __attribute__((always_inline)) inline

struct F32 {
  using T = float;
  using V = __m512;
  static constexpr int W = 16;
  static GEMM_INLINE V zero() { return _mm512_setzero_ps(); }
  static GEMM_INLINE V load(const T* p) { return _mm512_loadu_ps(p); }
  static GEMM_INLINE V load_n(const T* p, int n) { return _mm512_maskz_loadu_ps(mask(n), p); }
  static GEMM_INLINE void store(T* p, V v) { _mm512_storeu_ps(p, v); }
  static GEMM_INLINE void store_n(T* p, V v, int n) { _mm512_mask_storeu_ps(p, mask(n), v); }
  static GEMM_INLINE V bcast(const T* p) { return _mm512_set1_ps(*p); }
  static GEMM_INLINE V set1(T x) { return _mm512_set1_ps(x); }
  static GEMM_INLINE V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static GEMM_INLINE V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static GEMM_INLINE __mmask16 mask(int n) { return static_cast<__mmask16>((1u << n) - 1u); }

  static GEMM_INLINE void transpose(V r[16]) { transpose16x16(r); }
};

struct F64 {
  using T = double;
  using V = __m512d;
  static constexpr int W = 8;
  static GEMM_INLINE V zero() { return _mm512_setzero_pd(); }
  static GEMM_INLINE V load(const T* p) { return _mm512_loadu_pd(p); }
  static GEMM_INLINE V load_n(const T* p, int n) { return _mm512_maskz_loadu_pd(mask(n), p); }
  static GEMM_INLINE void store(T* p, V v) { _mm512_storeu_pd(p, v); }
  static GEMM_INLINE void store_n(T* p, V v, int n) { _mm512_mask_storeu_pd(p, mask(n), v); }
  static GEMM_INLINE V bcast(const T* p) { return _mm512_set1_pd(*p); }
  static GEMM_INLINE V set1(T x) { return _mm512_set1_pd(x); }
  static GEMM_INLINE V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static GEMM_INLINE V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static GEMM_INLINE __mmask8 mask(int n) { return static_cast<__mmask8>((1u << n) - 1u); }

  // 8 x 8 transpose: interleave 64-bit pairs, then two rounds over 128-bit lanes.
  static GEMM_INLINE void transpose(V r[8]) {
    V t[8], u[8];
#pragma GCC unroll 16
    for (int i = 0; i < 8; i += 2) {
      t[i] = _mm512_unpacklo_pd(r[i], r[i + 1]);      // rows i, i+1: columns 0 2 4 6
      t[i + 1] = _mm512_unpackhi_pd(r[i], r[i + 1]);  // columns 1 3 5 7
    }
#pragma GCC unroll 16
    for (int h = 0; h < 2; ++h) {  // h = 0: columns 0 2 4 6, h = 1: columns 1 3 5 7
      u[h] = _mm512_shuffle_f64x2(t[h], t[h + 2], 0x88);      // rows 0-3, columns {0,4} (+h)
      u[h + 2] = _mm512_shuffle_f64x2(t[h], t[h + 2], 0xdd);  // rows 0-3, columns {2,6} (+h)
      u[h + 4] = _mm512_shuffle_f64x2(t[h + 4], t[h + 6], 0x88);
      u[h + 6] = _mm512_shuffle_f64x2(t[h + 4], t[h + 6], 0xdd);
    }
#pragma GCC unroll 16
    for (int h = 0; h < 2; ++h) {
      r[h] = _mm512_shuffle_f64x2(u[h], u[h + 4], 0x88);          // column h
      r[h + 4] = _mm512_shuffle_f64x2(u[h], u[h + 4], 0xdd);      // column h + 4
      r[h + 2] = _mm512_shuffle_f64x2(u[h + 2], u[h + 6], 0x88);  // column h + 2
      r[h + 6] = _mm512_shuffle_f64x2(u[h + 2], u[h + 6], 0xdd);  // column h + 6
    }
  }
};

#include "advgrad/kernels/cpu/gemm_microkernel_impl.h"

#undef GEMM_INLINE
#undef GEMM_TARGET

}  // namespace

// kc x nr panel of B: 32 KiB (float) in a 48 KiB L1; mc x kc block of A in L2.
const KernelSet<float>& avx512_kernels_f32() {
  static const KernelSet<float> s = make_kernel_set<F32, 12>("avx512", 256, 480, 4096);
  return s;
}
const KernelSet<double>& avx512_kernels_f64() {
  static const KernelSet<double> s = make_kernel_set<F64, 12>("avx512", 256, 240, 2048);
  return s;
}

}  // namespace advgrad::kernels::cpu::gemm_detail
