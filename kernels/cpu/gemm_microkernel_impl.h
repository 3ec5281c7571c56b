// The SIMD micro-kernel body, shared by the AVX2 and AVX-512 translation units.
// Not a normal header: the including file defines, in its own anonymous
// namespace, GEMM_TARGET (the __attribute__((target)) of its instruction set)
// and vector traits X with
//   T, V, W (lanes), zero(), load(p), store(p, v), bcast(p), set1(x),
//   fma(a, b, c) = a*b + c (one rounding), mul(a, b)
// all marked always_inline with the same target. One tile is `rows` x (2 W):
// 2*rows accumulators, 2 vector loads of B and `rows` broadcasts of A per k
// step. See gemm_microkernels.h for the contract.
#ifndef GEMM_TARGET
#error "define GEMM_TARGET before including gemm_microkernel_impl.h"
#endif

template <class X, int Rows, int MR>
GEMM_TARGET void micro_kernel(std::int64_t kc, const typename X::T* a, const typename X::T* b, typename X::T* c,
                              std::int64_t ldc, typename X::T alpha, typename X::T beta) {
  using V = typename X::V;
  constexpr int W = X::W;
  V acc0[Rows], acc1[Rows];
#pragma GCC unroll 16
  for (int i = 0; i < Rows; ++i) acc0[i] = acc1[i] = X::zero();
#pragma GCC unroll 4
  for (std::int64_t p = 0; p < kc; ++p) {
    const V b0 = X::load(b), b1 = X::load(b + W);
#pragma GCC unroll 16
    for (int i = 0; i < Rows; ++i) {
      const V ai = X::bcast(a + i);
      acc0[i] = X::fma(ai, b0, acc0[i]);
      acc1[i] = X::fma(ai, b1, acc1[i]);
    }
    a += MR;
    b += 2 * W;
  }
  // C = alpha * acc + beta * C: the product is rounded, then one FMA with C.
  const V va = X::set1(alpha), vb = X::set1(beta);
  const bool scale = alpha != typename X::T(1);
#pragma GCC unroll 16
  for (int i = 0; i < Rows; ++i) {
    typename X::T* ci = c + i * ldc;
    V r0 = scale ? X::mul(acc0[i], va) : acc0[i];
    V r1 = scale ? X::mul(acc1[i], va) : acc1[i];
    if (beta != typename X::T(0)) {
      r0 = X::fma(vb, X::load(ci), r0);
      r1 = X::fma(vb, X::load(ci + W), r1);
    }
    X::store(ci, r0);
    X::store(ci + W, r1);
  }
}

// kernel[r - 1] = micro_kernel<X, r, MR> for r = 1..MR.
template <class X, int MR, int... R>
void fill_kernels(gemm_detail::MicroKernel<typename X::T>* table, std::integer_sequence<int, R...>) {
  ((table[R] = &micro_kernel<X, R + 1, MR>), ...);
}

// Packing (see PackFn in gemm_microkernels.h). The transposing pack moves
// W x W blocks through registers (X::transpose), instead of one scalar store
// per element with stride `width`.
template <class X>
GEMM_TARGET void pack_transposed(const typename X::T* src, std::int64_t ld, std::int64_t rows, std::int64_t kc,
                                 int width, typename X::T* dst) {
  using V = typename X::V;
  constexpr int W = X::W;
  for (int r0 = 0; r0 < width; r0 += W) {
    const std::int64_t left = rows - r0;
    const int nrow = left <= 0 ? 0 : left >= W ? W : static_cast<int>(left);
    const int lanes = width - r0 < W ? width - r0 : W;
    const typename X::T* s = src + r0 * ld;
    for (std::int64_t l0 = 0; l0 < kc; l0 += W) {
      const int len = kc - l0 < W ? static_cast<int>(kc - l0) : W;
      V t[W];
#pragma GCC unroll 16
      for (int i = 0; i < W; ++i)
        t[i] = i >= nrow ? X::zero() : len == W ? X::load(s + i * ld + l0) : X::load_n(s + i * ld + l0, len);
      X::transpose(t);
      typename X::T* d = dst + l0 * width + r0;
      if (lanes == W) {
#pragma GCC unroll 16
        for (int j = 0; j < W; ++j)
          if (j < len) X::store(d + j * width, t[j]);
      } else {
#pragma GCC unroll 16
        for (int j = 0; j < W; ++j)
          if (j < len) X::store_n(d + j * width, t[j], lanes);
      }
    }
  }
}

template <class X>
GEMM_TARGET void pack_copy(const typename X::T* src, std::int64_t ld, std::int64_t cols, std::int64_t kc, int width,
                           typename X::T* dst) {
  constexpr int W = X::W;
  for (std::int64_t l = 0; l < kc; ++l, src += ld, dst += width) {
    for (int c0 = 0; c0 < width; c0 += W) {
      const std::int64_t left = cols - c0;
      const int n = left <= 0 ? 0 : left >= W ? W : static_cast<int>(left);
      const auto v = n == W ? X::load(src + c0) : n == 0 ? X::zero() : X::load_n(src + c0, n);
      if (width - c0 >= W) X::store(dst + c0, v);
      else X::store_n(dst + c0, v, width - c0);
    }
  }
}

template <class X, int MR>
gemm_detail::KernelSet<typename X::T> make_kernel_set(const char* name, int kc, int mc, int nc) {
  gemm_detail::KernelSet<typename X::T> s;
  s.name = name;
  s.mr = MR;
  s.nr = 2 * X::W;
  s.kc = kc;
  s.mc = mc;
  s.nc = nc;
  fill_kernels<X, MR>(s.kernel, std::make_integer_sequence<int, MR>{});
  s.pack_transposed = &pack_transposed<X>;
  s.pack_copy = &pack_copy<X>;
  return s;
}
