#include "kernels/cpu/vec_exp.h"

#include <immintrin.h>

#include <cmath>

namespace advgrad::kernels::cpu {
namespace {

// exp(x) = 2^n exp(r), n = round(x / ln 2), r = x - n ln 2 in [-ln2/2, ln2/2]
// (ln 2 split in a short and a long part so r is exact), exp(r) by the
// degree-7 minimax polynomial of the Cephes expf, 2^n built in the exponent
// bits in two halves so that n = 128 (x near the overflow bound) stays finite.
// Written with intrinsics: the compiler does not vectorise the selects for
// the special cases by itself (they count as trapping under -ftrapping-math).
constexpr float kLo = -87.3365447505531f, kHi = 88.7228391116729f;
constexpr float kLog2e = 1.44269504088896341f, kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;
constexpr float kP0 = 1.9875691500e-4f, kP1 = 1.3981999507e-3f, kP2 = 8.3334519073e-3f, kP3 = 4.1665795894e-2f,
                kP4 = 1.6666665459e-1f, kP5 = 5.0000001201e-1f;

__attribute__((target("avx2,fma"))) inline __m256 exp8(__m256 x) {
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

// The tail (fewer than 8 elements) goes through a small buffer.
__attribute__((target("avx2,fma"))) void exp_diff_avx2(const float* x, const float* shift, float s, float* out,
                                                       std::int64_t n) {
  const __m256 sv = _mm256_set1_ps(s);
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 sh = shift ? _mm256_loadu_ps(shift + i) : sv;
    _mm256_storeu_ps(out + i, exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), sh)));
  }
  if (i < n) {
    alignas(32) float buf[8] = {};
    for (std::int64_t j = i; j < n; ++j) buf[j - i] = x[j] - (shift ? shift[j] : s);
    _mm256_store_ps(buf, exp8(_mm256_load_ps(buf)));
    for (std::int64_t j = i; j < n; ++j) out[j] = buf[j - i];
  }
}

void exp_diff_generic(const float* x, const float* shift, float s, float* out, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) out[i] = std::exp(x[i] - (shift ? shift[i] : s));
}

using ExpFn = void (*)(const float*, const float*, float, float*, std::int64_t);

ExpFn pick() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return exp_diff_avx2;
  return exp_diff_generic;
}

ExpFn exp_kernel() {
  static const ExpFn fn = pick();
  return fn;
}

}  // namespace

void exp_shifted(const float* x, float shift, float* out, std::int64_t n) { exp_kernel()(x, nullptr, shift, out, n); }
void exp_diff(const float* x, const float* shift, float* out, std::int64_t n) { exp_kernel()(x, shift, 0.0f, out, n); }

void exp_shifted(const double* x, double shift, double* out, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) out[i] = std::exp(x[i] - shift);
}
void exp_diff(const double* x, const double* shift, double* out, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) out[i] = std::exp(x[i] - shift[i]);
}

}  // namespace advgrad::kernels::cpu
