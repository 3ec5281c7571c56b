#include "kernels/cpu/gemm.h"

#include <vector>

#include "kernels/cpu/parallel.h"

namespace advgrad::kernels::cpu {

// First version: row-parallel i-l-j loop (the j loop vectorises). To be replaced
// by a packed, cache-blocked SIMD kernel.
template <typename T>
void gemm(const GemmParams& p, const T* a, const T* b, T* c) {
  for (std::int64_t bt = 0; bt < p.batch; ++bt) {
    const T* A = a + bt * p.stride_a;
    const T* B = b + bt * p.stride_b;
    T* C = c + bt * p.stride_c;
    parallel_for(0, p.m, 4, [&](std::int64_t i0, std::int64_t i1) {
      std::vector<T> row(static_cast<std::size_t>(p.n));
      for (std::int64_t i = i0; i < i1; ++i) {
        std::fill(row.begin(), row.end(), T(0));
        for (std::int64_t l = 0; l < p.k; ++l) {
          const T av = p.trans_a ? A[l * p.lda + i] : A[i * p.lda + l];
          if (p.trans_b) {
            for (std::int64_t j = 0; j < p.n; ++j) row[j] += av * B[j * p.ldb + l];
          } else {
            const T* brow = B + l * p.ldb;
            for (std::int64_t j = 0; j < p.n; ++j) row[j] += av * brow[j];
          }
        }
        T* crow = C + i * p.ldc;
        for (std::int64_t j = 0; j < p.n; ++j)
          crow[j] = static_cast<T>(p.alpha) * row[j] + (p.beta == 0.0 ? T(0) : static_cast<T>(p.beta) * crow[j]);
      }
    });
  }
}

template void gemm<float>(const GemmParams&, const float*, const float*, float*);
template void gemm<double>(const GemmParams&, const double*, const double*, double*);

}  // namespace advgrad::kernels::cpu
