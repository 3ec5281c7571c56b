#pragma once
// Internal to the fast convolution (kernels/cpu/conv.cpp): the AVX-512 float
// forward pass as a direct ("implicit GEMM") convolution with the output
// channels on the vector lanes.
//
// Per image and group, y_g (Og x P) = W_g (Og x K) * col (K x P) is computed
// transposed, one tile of R output positions x BW output channels at a time
// (BW = 64, R = 6 when Og is a multiple of 64; else BW = 32, R = 12): per k
// step the tile kernel loads BW/16 vectors of the weights (packed once per
// call as K x BW panels) and broadcasts R input values, so 24 accumulators
// hold R x BW outputs and no lane is padding. The input values are read
// straight from a zero-padded copy of the group's input planes (none when the
// convolution has no padding): column k = (c, i, j) of position (oh, ow) is at
// the fixed offset tap[k] = (c Hp + i dh) Wp + j dw from the position's own
// origin (oh sh) Wp + ow sw, so there is no column matrix at all. The tiles
// of a chunk of positions go to a scratch y^T (positions x Og), transposed
// into y (plus the bias) chunk by chunk.
//
// Each output is one accumulator updated in k order (one FMA per step), the
// bias added once at the end: the result depends only on the sizes.
#include "advgrad/kernels/conv_params.h"

namespace advgrad::kernels::cpu::conv_detail {

// Whether avx512_conv2d_forward handles p (the caller checks cpu_isa()).
bool avx512_direct_usable(const Conv2dParams& p);
void avx512_conv2d_forward(const Conv2dParams& p, const float* x, const float* w, const float* bias, float* y);

}  // namespace advgrad::kernels::cpu::conv_detail
