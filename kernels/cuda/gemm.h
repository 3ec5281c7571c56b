#pragma once
// GEMM on the device (kernels/gemm_params.h: batched, row-major, op(A) op(B),
// alpha and beta), float and double.
//   gemm_tiled:  our shared-memory tiled kernel — the teaching version, and the
//                stand-in for cuBLAS under the SIMT emulator;
//   gemm_cublas: cuBLAS (GPU builds only; kernels/cuda/cublas_gemm.cu).
#include "advgrad/kernels/cuda/namespace.h"
#include "advgrad/kernels/gemm_params.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

template <typename T>
void gemm_tiled(const GemmParams& p, const T* a, const T* b, T* c);

#if !defined(ADVGRAD_CUDA_EMULATED)
template <typename T>
void gemm_cublas(const GemmParams& p, const T* a, const T* b, T* c);
#endif

ADVGRAD_CUDA_NAMESPACE_END
