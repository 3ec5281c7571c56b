#pragma once
// Fast CPU GEMM (same contract as kernels/reference/gemm.h).
#include "advgrad/kernels/gemm_params.h"

namespace advgrad::kernels::cpu {

template <typename T>
void gemm(const GemmParams& p, const T* a, const T* b, T* c);

}  // namespace advgrad::kernels::cpu
