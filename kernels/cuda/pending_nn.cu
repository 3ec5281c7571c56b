// TEMPORARY (development branches only, never on main): throwing placeholders
// for the kernels of this family until their real .cu lands. Delete this file
// when the family is written.
#include <stdexcept>
#include <string>

#include "kernels/cuda/runtime.h"
#include "kernels/cuda/gemm.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN
namespace {
[[noreturn]] void pending(const char* k) { throw CudaError(std::string("kernel not written yet: ") + k); }
}  // namespace
template <typename T> void gemm_tiled(const GemmParams&, const T*, const T*, T*) { pending("gemm_tiled"); }
template void gemm_tiled<float>(const GemmParams&, const float*, const float*, float*);
template void gemm_tiled<double>(const GemmParams&, const double*, const double*, double*);
#if !defined(ADVGRAD_CUDA_EMULATED)
template <typename T> void gemm_cublas(const GemmParams&, const T*, const T*, T*) { pending("gemm_cublas"); }
template void gemm_cublas<float>(const GemmParams&, const float*, const float*, float*);
template void gemm_cublas<double>(const GemmParams&, const double*, const double*, double*);
#endif
ADVGRAD_CUDA_NAMESPACE_END
