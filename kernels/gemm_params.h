#pragma once
// Parameters of a (batched) row-major GEMM:
//   C[b] = alpha * op(A[b]) * op(B[b]) + beta * C[b],   op(X) = X or X^T
// op(A) is m x k, op(B) is k x n, C is m x n. lda/ldb/ldc are the row strides
// of A, B and C as stored (before transposition); batch strides may be 0
// (a broadcast operand).
#include <cstdint>

namespace advgrad::kernels {

struct GemmParams {
  std::int64_t m = 0, n = 0, k = 0;
  bool trans_a = false, trans_b = false;
  std::int64_t lda = 0, ldb = 0, ldc = 0;
  std::int64_t batch = 1;
  std::int64_t stride_a = 0, stride_b = 0, stride_c = 0;
  double alpha = 1.0, beta = 0.0;
};

}  // namespace advgrad::kernels
