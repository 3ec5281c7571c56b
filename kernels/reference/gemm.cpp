#include "advgrad/kernels/reference/gemm.h"

#include "advgrad/kernels/reduce_ops.h"

namespace advgrad::kernels::reference {

template <typename T>
void gemm(const GemmParams& p, const T* a, const T* b, T* c) {
  using Acc = typename acc_type<T>::type;
  for (std::int64_t bt = 0; bt < p.batch; ++bt) {
    const T* A = a + bt * p.stride_a;
    const T* B = b + bt * p.stride_b;
    T* C = c + bt * p.stride_c;
    for (std::int64_t i = 0; i < p.m; ++i) {
      for (std::int64_t j = 0; j < p.n; ++j) {
        Acc acc = 0;
        for (std::int64_t l = 0; l < p.k; ++l) {
          const T av = p.trans_a ? A[l * p.lda + i] : A[i * p.lda + l];  // op(A)[i][l]
          const T bv = p.trans_b ? B[j * p.ldb + l] : B[l * p.ldb + j];  // op(B)[l][j]
          acc += static_cast<Acc>(av) * static_cast<Acc>(bv);
        }
        T& out = C[i * p.ldc + j];
        // beta == 0 overwrites (C may hold garbage or NaN), as in BLAS.
        out = static_cast<T>(p.alpha * acc + (p.beta == 0.0 ? 0.0 : p.beta * static_cast<Acc>(out)));
      }
    }
  }
}

template void gemm<float>(const GemmParams&, const float*, const float*, float*);
template void gemm<double>(const GemmParams&, const double*, const double*, double*);

}  // namespace advgrad::kernels::reference
