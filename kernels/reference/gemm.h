#pragma once
// Reference GEMM: the textbook triple loop, C = alpha op(A) op(B) + beta C,
// accumulating in double for float. The oracle for every faster GEMM.
#include "advgrad/kernels/gemm_params.h"

namespace advgrad::kernels::reference {

template <typename T>
void gemm(const GemmParams& p, const T* a, const T* b, T* c);

}  // namespace advgrad::kernels::reference
