// TEMPORARY (development branches only, never on main): throwing placeholders
// for the kernels of this family until their real .cu lands. Delete this file
// when the family is written.
#include <stdexcept>
#include <string>

#include "kernels/cuda/runtime.h"
#include "kernels/cuda/batch_norm.h"
#include "kernels/cuda/gemm.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN
namespace {
[[noreturn]] void pending(const char* k) { throw CudaError(std::string("kernel not written yet: ") + k); }
}  // namespace
template <typename T> void batch_norm_stats(const BatchNormShape&, const T*, T*, T*) { pending("batch_norm_stats"); }
template <typename T> void batch_norm_forward(const BatchNormShape&, const T*, const T*, const T*, const T*, const T*, T*) { pending("batch_norm_forward"); }
template <typename T> void batch_norm_backward(const BatchNormShape&, bool, const T*, const T*, const T*, const T*, const T*, T*, T*, T*) { pending("batch_norm_backward"); }
#define I(T) template void batch_norm_stats<T>(const BatchNormShape&, const T*, T*, T*); \
  template void batch_norm_forward<T>(const BatchNormShape&, const T*, const T*, const T*, const T*, const T*, T*); \
  template void batch_norm_backward<T>(const BatchNormShape&, bool, const T*, const T*, const T*, const T*, const T*, T*, T*, T*);
I(float) I(double)
#undef I
template <typename T> void gemm_tiled(const GemmParams&, const T*, const T*, T*) { pending("gemm_tiled"); }
template void gemm_tiled<float>(const GemmParams&, const float*, const float*, float*);
template void gemm_tiled<double>(const GemmParams&, const double*, const double*, double*);
#if !defined(ADVGRAD_CUDA_EMULATED)
template <typename T> void gemm_cublas(const GemmParams&, const T*, const T*, T*) { pending("gemm_cublas"); }
template void gemm_cublas<float>(const GemmParams&, const float*, const float*, float*);
template void gemm_cublas<double>(const GemmParams&, const double*, const double*, double*);
#endif
ADVGRAD_CUDA_NAMESPACE_END
