#pragma once
// Vectorised float forms of the smooth activations and their backward ops
// (gelu, silu, sigmoid, softplus, elu), for contiguous rows. The scalar
// formulas in kernels/elementwise_ops.h remain the definition (the reference
// kernels and the GPU use them); these agree with them to a few float ulps
// (tests/kernels/test_vec_activations.cpp) and make smooth-activation
// training cost about what ReLU training costs.
#include <cstdint>

#include "advgrad/kernels/elementwise_ops.h"

namespace advgrad::kernels::cpu {

// out[i] = op(x[i]) for the ops above; false (nothing written) when `op` has no
// vector form or the CPU lacks AVX2+FMA, and the caller runs the scalar loop.
bool unary_vectorised(UnaryOp op, const float* x, float* out, std::int64_t n, const OpParams& p);
// out[i] = op(a[i], b[i]) for GeluBackward, SiluBackward, SoftplusBackward and
// EluBackward (a: incoming gradient, b: the activation's input).
bool binary_vectorised(BinaryOp op, const float* a, const float* b, float* out, std::int64_t n, const OpParams& p);

}  // namespace advgrad::kernels::cpu
