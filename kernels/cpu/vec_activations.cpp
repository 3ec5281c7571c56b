#include "advgrad/kernels/cpu/vec_activations.h"

#include "advgrad/kernels/cpu/cpu_features.h"
#include "advgrad/kernels/cpu/vec_math.h"

namespace advgrad::kernels::cpu {
namespace {

#define ADVGRAD_AVX2 __attribute__((target("avx2,fma")))

// Phi(x) = erfc(-x / sqrt 2) / 2, the standard normal CDF.
ADVGRAD_AVX2 inline __m256 normal_cdf8(__m256 x) {
  return _mm256_mul_ps(_mm256_set1_ps(0.5f), vec::erfc8(_mm256_mul_ps(x, _mm256_set1_ps(-float(math::kInvSqrt2)))));
}

// Each op as a function of 8 lanes; the formulas are those of elementwise_ops.h.
struct Gelu {  // x Phi(x)
  ADVGRAD_AVX2 static __m256 f(__m256 x, const OpParams&) { return _mm256_mul_ps(x, normal_cdf8(x)); }
};
struct Silu {  // x sigmoid(x)
  ADVGRAD_AVX2 static __m256 f(__m256 x, const OpParams&) { return _mm256_mul_ps(x, vec::sigmoid8(x)); }
};
struct Sigmoid {
  ADVGRAD_AVX2 static __m256 f(__m256 x, const OpParams&) { return vec::sigmoid8(x); }
};
// softplus(x) = log(1 + e^(beta x)) / beta below the threshold, x above. As
// max(bx, 0) + log1p(e^-|bx|): the same value, and e^-|bx| cannot overflow.
ADVGRAD_AVX2 inline __m256 softplus_below_threshold(__m256 bx) {
  const __m256 abs_bx = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), bx);
  const __m256 r = _mm256_add_ps(_mm256_max_ps(bx, _mm256_setzero_ps()),
                                 vec::log1p8_unit(vec::exp8(_mm256_sub_ps(_mm256_setzero_ps(), abs_bx))));
  return _mm256_blendv_ps(r, bx, _mm256_cmp_ps(bx, bx, _CMP_UNORD_Q));  // max() would drop a NaN
}
struct Softplus {
  ADVGRAD_AVX2 static __m256 f(__m256 x, const OpParams& p) {
    const __m256 beta = _mm256_set1_ps(float(p.a));
    const __m256 bx = _mm256_mul_ps(beta, x);
    const __m256 below = _mm256_div_ps(softplus_below_threshold(bx), beta);
    return _mm256_blendv_ps(below, x, _mm256_cmp_ps(bx, _mm256_set1_ps(float(p.b)), _CMP_GT_OQ));
  }
};
struct Elu {  // x (x > 0), alpha expm1(x) otherwise (NaN takes the second branch and stays NaN)
  ADVGRAD_AVX2 static __m256 f(__m256 x, const OpParams& p) {
    const __m256 neg = _mm256_mul_ps(_mm256_set1_ps(float(p.a)), vec::expm1_8(x));
    return _mm256_blendv_ps(neg, x, _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ));
  }
};

// Backward ops: g = incoming gradient, x = the activation's input.
struct GeluBackward {  // g (Phi(x) + x phi(x))
  ADVGRAD_AVX2 static __m256 f(__m256 g, __m256 x, const OpParams&) {
    const __m256 pdf = _mm256_mul_ps(_mm256_set1_ps(float(math::kInvSqrt2Pi)),
                                     vec::exp8(_mm256_mul_ps(_mm256_set1_ps(-0.5f), _mm256_mul_ps(x, x))));
    return _mm256_mul_ps(g, _mm256_fmadd_ps(x, pdf, normal_cdf8(x)));
  }
};
struct SiluBackward {  // g s (1 + x (1 - s)), s = sigmoid(x)
  ADVGRAD_AVX2 static __m256 f(__m256 g, __m256 x, const OpParams&) {
    const __m256 one = _mm256_set1_ps(1.0f);
    const __m256 s = vec::sigmoid8(x);
    return _mm256_mul_ps(_mm256_mul_ps(g, s), _mm256_fmadd_ps(x, _mm256_sub_ps(one, s), one));
  }
};
struct SoftplusBackward {  // g sigmoid(beta x) below the threshold, g above
  ADVGRAD_AVX2 static __m256 f(__m256 g, __m256 x, const OpParams& p) {
    const __m256 bx = _mm256_mul_ps(_mm256_set1_ps(float(p.a)), x);
    const __m256 below = _mm256_mul_ps(g, vec::sigmoid8(bx));
    return _mm256_blendv_ps(below, g, _mm256_cmp_ps(bx, _mm256_set1_ps(float(p.b)), _CMP_GT_OQ));
  }
};
struct EluBackward {  // g (x > 0), g alpha e^x otherwise
  ADVGRAD_AVX2 static __m256 f(__m256 g, __m256 x, const OpParams& p) {
    const __m256 neg = _mm256_mul_ps(_mm256_mul_ps(g, _mm256_set1_ps(float(p.a))), vec::exp8(x));
    return _mm256_blendv_ps(neg, g, _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ));
  }
};

// The loops: 8 at a time, the tail (fewer than 8) through a padded buffer, so
// every element goes through the same lane-wise code.
template <typename Op>
ADVGRAD_AVX2 void unary_loop(const float* x, float* out, std::int64_t n, const OpParams& p) {
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, Op::f(_mm256_loadu_ps(x + i), p));
  if (i < n) {
    alignas(32) float buf[8] = {};
    for (std::int64_t j = i; j < n; ++j) buf[j - i] = x[j];
    _mm256_store_ps(buf, Op::f(_mm256_load_ps(buf), p));
    for (std::int64_t j = i; j < n; ++j) out[j] = buf[j - i];
  }
}

template <typename Op>
ADVGRAD_AVX2 void binary_loop(const float* a, const float* b, float* out, std::int64_t n, const OpParams& p) {
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, Op::f(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), p));
  if (i < n) {
    alignas(32) float ba[8] = {}, bb[8] = {};
    for (std::int64_t j = i; j < n; ++j) {
      ba[j - i] = a[j];
      bb[j - i] = b[j];
    }
    _mm256_store_ps(ba, Op::f(_mm256_load_ps(ba), _mm256_load_ps(bb), p));
    for (std::int64_t j = i; j < n; ++j) out[j] = ba[j - i];
  }
}

#undef ADVGRAD_AVX2

}  // namespace

bool unary_vectorised(UnaryOp op, const float* x, float* out, std::int64_t n, const OpParams& p) {
  if (cpu_isa() < Isa::Avx2) return false;
  switch (op) {
    case UnaryOp::Gelu: unary_loop<Gelu>(x, out, n, p); return true;
    case UnaryOp::Silu: unary_loop<Silu>(x, out, n, p); return true;
    case UnaryOp::Sigmoid: unary_loop<Sigmoid>(x, out, n, p); return true;
    case UnaryOp::Softplus: unary_loop<Softplus>(x, out, n, p); return true;
    case UnaryOp::Elu: unary_loop<Elu>(x, out, n, p); return true;
    default: return false;
  }
}

bool binary_vectorised(BinaryOp op, const float* a, const float* b, float* out, std::int64_t n, const OpParams& p) {
  if (cpu_isa() < Isa::Avx2) return false;
  switch (op) {
    case BinaryOp::GeluBackward: binary_loop<GeluBackward>(a, b, out, n, p); return true;
    case BinaryOp::SiluBackward: binary_loop<SiluBackward>(a, b, out, n, p); return true;
    case BinaryOp::SoftplusBackward: binary_loop<SoftplusBackward>(a, b, out, n, p); return true;
    case BinaryOp::EluBackward: binary_loop<EluBackward>(a, b, out, n, p); return true;
    default: return false;
  }
}

}  // namespace advgrad::kernels::cpu
