// GEMM through cuBLAS (GPU builds only: under the SIMT emulator this file
// defines nothing, and gemm_tiled stands in).
//
// Row-major through a column-major library. cuBLAS reads a buffer holding a
// row-major r x c matrix with row stride ld as the column-major c x r matrix
// — its transpose — with leading dimension ld. So for row-major
//   C = alpha op(A) op(B) + beta C        (m x n, ldc)
// we ask cuBLAS for the column-major product
//   C^T = alpha op(B)^T op(A)^T + beta C^T   (n x m, ldc)
// whose operands are exactly the buffers of B and A read column-major: swap A
// and B, swap m and n, keep each operand's own transpose flag and ld.
//
// One cuBLAS handle per device, created on first use (under a mutex) while
// that device is current, and never destroyed: destroying it at exit could
// run after the CUDA runtime has shut down. The handle uses the default (NULL)
// stream like every kernel of the library, and default math (no TF32), so
// float results stay within the parity tolerances of the reference.
#if !defined(ADVGRAD_CUDA_EMULATED)

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "advgrad/kernels/cuda/gemm.h"
#include "advgrad/kernels/cuda/runtime.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

namespace {

[[noreturn]] void fail(const std::string& what, cublasStatus_t status) {
  throw CudaError(what + ": " + cublasGetStatusName(status) + " (" + cublasGetStatusString(status) + ")");
}

void check(cublasStatus_t status, const char* what) {
  if (status != CUBLAS_STATUS_SUCCESS) fail(what, status);
}

// The current device's handle.
cublasHandle_t handle_for_current_device() {
  int device = 0;
  const cudaError_t error = cudaGetDevice(&device);
  if (error != cudaSuccess)
    throw CudaError(std::string("cudaGetDevice: ") + cudaGetErrorName(error) + " (" + cudaGetErrorString(error) + ")");
  static std::mutex mutex;
  static std::vector<cublasHandle_t>* handles = new std::vector<cublasHandle_t>();  // leaked on purpose
  std::lock_guard<std::mutex> lock(mutex);
  if (static_cast<int>(handles->size()) <= device) handles->resize(device + 1, nullptr);
  cublasHandle_t& h = (*handles)[device];
  if (h == nullptr) {
    cublasHandle_t created = nullptr;
    check(cublasCreate(&created), "cublasCreate");
    check(cublasSetMathMode(created, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
    h = created;
  }
  return h;
}

cublasOperation_t op(bool trans) { return trans ? CUBLAS_OP_T : CUBLAS_OP_N; }

bool fits_int(std::int64_t v) { return v >= 0 && v <= INT_MAX; }

// What cuBLAS accepts: int sizes and leading dimensions at least the column
// count of each row-major stored matrix (and >= 1). The layouts core/ builds
// can fall outside (a broadcast column with ld 0, huge sizes); those go to
// the tiled kernel, which takes any strides.
bool cublas_can_take(const GemmParams& p) {
  const std::int64_t cols_a = p.trans_a ? p.m : p.k, cols_b = p.trans_b ? p.k : p.n;
  return fits_int(p.m) && fits_int(p.n) && fits_int(p.k) && fits_int(p.batch) && fits_int(p.lda) && fits_int(p.ldb) &&
         fits_int(p.ldc) && p.lda >= std::max<std::int64_t>(1, cols_a) && p.ldb >= std::max<std::int64_t>(1, cols_b) &&
         p.ldc >= std::max<std::int64_t>(1, p.n);
}

cublasStatus_t strided_batched(cublasHandle_t h, const GemmParams& p, const float* a, const float* b, float* c) {
  const float alpha = static_cast<float>(p.alpha), beta = static_cast<float>(p.beta);
  return cublasSgemmStridedBatched(h, op(p.trans_b), op(p.trans_a), static_cast<int>(p.n), static_cast<int>(p.m),
                                   static_cast<int>(p.k), &alpha, b, static_cast<int>(p.ldb), p.stride_b, a,
                                   static_cast<int>(p.lda), p.stride_a, &beta, c, static_cast<int>(p.ldc), p.stride_c,
                                   static_cast<int>(p.batch));
}

cublasStatus_t strided_batched(cublasHandle_t h, const GemmParams& p, const double* a, const double* b, double* c) {
  const double alpha = p.alpha, beta = p.beta;
  return cublasDgemmStridedBatched(h, op(p.trans_b), op(p.trans_a), static_cast<int>(p.n), static_cast<int>(p.m),
                                   static_cast<int>(p.k), &alpha, b, static_cast<int>(p.ldb), p.stride_b, a,
                                   static_cast<int>(p.lda), p.stride_a, &beta, c, static_cast<int>(p.ldc), p.stride_c,
                                   static_cast<int>(p.batch));
}

}  // namespace

template <typename T>
void gemm_cublas(const GemmParams& p, const T* a, const T* b, T* c) {
  if (p.m <= 0 || p.n <= 0 || p.batch <= 0) return;
  if (!cublas_can_take(p)) return gemm_tiled<T>(p, a, b, c);
  // beta == 0: cuBLAS does not read C (BLAS semantics), so NaN garbage there is overwritten.
  check(strided_batched(handle_for_current_device(), p, a, b, c),
        sizeof(T) == 4 ? "cublasSgemmStridedBatched" : "cublasDgemmStridedBatched");
  check_launch(sizeof(T) == 4 ? "cublasSgemmStridedBatched" : "cublasDgemmStridedBatched");
}

template void gemm_cublas<float>(const GemmParams&, const float*, const float*, float*);
template void gemm_cublas<double>(const GemmParams&, const double*, const double*, double*);

ADVGRAD_CUDA_NAMESPACE_END

#endif  // !defined(ADVGRAD_CUDA_EMULATED)
