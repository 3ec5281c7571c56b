#pragma once
// AVX2+FMA building blocks for float math on 8 lanes: exp, expm1, log1p on
// [0, 1], erfc and the logistic sigmoid. std::exp and friends do not vectorise without
// -ffast-math, and the smooth activations (gelu, silu, softplus, elu) spend
// their time in them, so these are polynomials written with intrinsics.
// Internal to kernels/cpu: callers are functions compiled for AVX2+FMA
// (__attribute__((target("avx2,fma")))) and picked at run time (cpu_isa()).
// Every function is lane-wise, so a value's result does not depend on its
// neighbours (a kernel's output does not depend on how it is split up).
#include <immintrin.h>

#include <cmath>

namespace advgrad::kernels::cpu::vec {

#define ADVGRAD_AVX2 __attribute__((target("avx2,fma"))) inline

// exp(x) = 2^n exp(r), n = round(x / ln 2), r = x - n ln 2 in [-ln2/2, ln2/2]
// (ln 2 split in a short and a long part so r is exact), exp(r) by the
// degree-7 minimax polynomial of the Cephes expf, 2^n built in the exponent
// bits in two halves so that n = 128 (x near the overflow bound) stays finite.
// Within 2 ulp of std::exp; 0 below -87.34 (where std::exp is a denormal),
// +inf above 88.72, NaN stays NaN.
ADVGRAD_AVX2 __m256 exp8(__m256 x) {
  constexpr float kLo = -87.3365447505531f, kHi = 88.7228391116729f;
  constexpr float kLog2e = 1.44269504088896341f, kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;
  constexpr float kP0 = 1.9875691500e-4f, kP1 = 1.3981999507e-3f, kP2 = 8.3334519073e-3f, kP3 = 4.1665795894e-2f,
                  kP4 = 1.6666665459e-1f, kP5 = 5.0000001201e-1f;
  const __m256 xc = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(kLo)), _mm256_set1_ps(kHi));
  const __m256 n =
      _mm256_round_ps(_mm256_mul_ps(xc, _mm256_set1_ps(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Hi), xc);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Lo), r);
  __m256 p = _mm256_set1_ps(kP0);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kP1));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kP2));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kP3));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kP4));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kP5));
  p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  const __m256i ni = _mm256_cvtps_epi32(n);
  const __m256i half = _mm256_srai_epi32(ni, 1);
  const __m256i bias = _mm256_set1_epi32(127);
  const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(half, bias), 23));
  const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_sub_epi32(ni, half), bias), 23));
  __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
  y = _mm256_blendv_ps(y, _mm256_setzero_ps(), _mm256_cmp_ps(x, _mm256_set1_ps(kLo), _CMP_LT_OQ));
  y = _mm256_blendv_ps(y, _mm256_set1_ps(INFINITY), _mm256_cmp_ps(x, _mm256_set1_ps(kHi), _CMP_GT_OQ));
  return _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));  // NaN stays NaN
}

// expm1(x) = e^x - 1: the Taylor series to x^8 for |x| < 1/2 (truncation
// below 1.1e-8 relative), where e^x - 1 would cancel; e^x - 1 elsewhere,
// which loses at most about an ulp there. NaN stays NaN.
ADVGRAD_AVX2 __m256 expm1_8(__m256 x) {
  __m256 p = _mm256_set1_ps(1.0f / 40320);
  p = _mm256_fmadd_ps(p, x, _mm256_set1_ps(1.0f / 5040));
  p = _mm256_fmadd_ps(p, x, _mm256_set1_ps(1.0f / 720));
  p = _mm256_fmadd_ps(p, x, _mm256_set1_ps(1.0f / 120));
  p = _mm256_fmadd_ps(p, x, _mm256_set1_ps(1.0f / 24));
  p = _mm256_fmadd_ps(p, x, _mm256_set1_ps(1.0f / 6));
  p = _mm256_fmadd_ps(p, x, _mm256_set1_ps(0.5f));
  const __m256 series = _mm256_fmadd_ps(_mm256_mul_ps(x, x), p, x);
  const __m256 direct = _mm256_sub_ps(exp8(x), _mm256_set1_ps(1.0f));
  const __m256 small = _mm256_cmp_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), x), _mm256_set1_ps(0.5f), _CMP_LT_OQ);
  return _mm256_blendv_ps(direct, series, small);
}

// log1p(t) for t in [0, 1]: u = 1 + t rounded, log(u) from u = 2^e m with m in
// [sqrt(1/2), sqrt 2) and the Cephes logf polynomial in f = m - 1, then
// Goldberg's correction log1p(t) = log(u) t / (u - 1), which cancels the
// rounding of 1 + t (t itself when u rounds to 1). NaN stays NaN.
ADVGRAD_AVX2 __m256 log1p8_unit(__m256 t) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 u = _mm256_add_ps(one, t);  // in [1, 2]
  // u in [1, 2]: e = 0 and f = u - 1 for u < sqrt 2, else e = 1 and f = u/2 - 1.
  const __m256 big = _mm256_cmp_ps(u, _mm256_set1_ps(1.41421356237f), _CMP_GE_OQ);
  const __m256 e = _mm256_and_ps(big, one);
  const __m256 f = _mm256_sub_ps(_mm256_blendv_ps(u, _mm256_mul_ps(u, _mm256_set1_ps(0.5f)), big), one);
  const __m256 z = _mm256_mul_ps(f, f);
  __m256 p = _mm256_set1_ps(7.0376836292e-2f);
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(-1.1514610310e-1f));
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.1676998740e-1f));
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(-1.2420140846e-1f));
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.4249322787e-1f));
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(-1.6668057665e-1f));
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(2.0000714765e-1f));
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(-2.4999993993e-1f));
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(3.3333331174e-1f));
  __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, z), f);
  y = _mm256_fmadd_ps(e, _mm256_set1_ps(-2.12194440e-4f), y);
  y = _mm256_fnmadd_ps(_mm256_set1_ps(0.5f), z, y);
  __m256 log_u = _mm256_add_ps(f, y);
  log_u = _mm256_fmadd_ps(e, _mm256_set1_ps(0.693359375f), log_u);
  const __m256 um1 = _mm256_sub_ps(u, one);
  const __m256 corrected = _mm256_mul_ps(log_u, _mm256_div_ps(t, um1));
  const __m256 exact_one = _mm256_cmp_ps(um1, _mm256_setzero_ps(), _CMP_EQ_OQ);
  const __m256 r = _mm256_blendv_ps(corrected, t, exact_one);
  return _mm256_blendv_ps(r, t, _mm256_cmp_ps(t, t, _CMP_UNORD_Q));
}

// erfc(z) = t exp(-z^2 - 1.26551223 + t P(t)), t = 1 / (1 + |z|/2), for
// z >= 0 and erfc(-z) = 2 - erfc(z): the Chebyshev fit of Numerical Recipes
// in C (2nd ed., section 6.2, erfcc), fractional error below 1.2e-7 for every
// z, so the tails keep their relative accuracy (1 + erf(x) would cancel).
ADVGRAD_AVX2 __m256 erfc8(__m256 z) {
  const __m256 sign_mask = _mm256_set1_ps(-0.0f);
  const __m256 a = _mm256_andnot_ps(sign_mask, z);
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 t = _mm256_div_ps(one, _mm256_fmadd_ps(_mm256_set1_ps(0.5f), a, one));
  __m256 p = _mm256_set1_ps(0.17087277f);
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-0.82215223f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.48851587f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-1.13520398f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.27886807f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-0.18628806f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.09678418f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.37409196f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.00002368f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-1.26551223f));
  // exp(p - a^2) with the product inside one FMA (one rounding).
  const __m256 r = _mm256_mul_ps(t, exp8(_mm256_fnmadd_ps(a, a, p)));
  const __m256 negative = _mm256_cmp_ps(z, _mm256_setzero_ps(), _CMP_LT_OQ);
  return _mm256_blendv_ps(r, _mm256_sub_ps(_mm256_set1_ps(2.0f), r), negative);
}

// sigmoid(x) = 1 / (1 + e^-x): e^-x is +inf for x < -88.7, giving 0.
ADVGRAD_AVX2 __m256 sigmoid8(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  return _mm256_div_ps(one, _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

#undef ADVGRAD_AVX2

}  // namespace advgrad::kernels::cpu::vec
