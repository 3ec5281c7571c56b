#include "advgrad/kernels/cpu/vec_exp.h"

#include <cmath>

#include "advgrad/kernels/cpu/vec_math.h"

namespace advgrad::kernels::cpu {
namespace {

// The tail (fewer than 8 elements) goes through a small buffer.
__attribute__((target("avx2,fma"))) void exp_diff_avx2(const float* x, const float* shift, float s, float* out,
                                                       std::int64_t n) {
  const __m256 sv = _mm256_set1_ps(s);
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 sh = shift ? _mm256_loadu_ps(shift + i) : sv;
    _mm256_storeu_ps(out + i, vec::exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), sh)));
  }
  if (i < n) {
    alignas(32) float buf[8] = {};
    for (std::int64_t j = i; j < n; ++j) buf[j - i] = x[j] - (shift ? shift[j] : s);
    _mm256_store_ps(buf, vec::exp8(_mm256_load_ps(buf)));
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
