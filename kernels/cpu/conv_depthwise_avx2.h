#pragma once
// AVX2 depthwise convolution (groups == C == O: one filter per channel), all
// three passes, float and double, any kernel size, stride, padding and
// dilation. Compiled for baseline x86-64: only the plane loops carry the AVX2
// target, and conv_depthwise.cpp calls these only when cpu_isa() >= Avx2.
//
// Every pass is one "plane convolution" of a zero-padded copy P of one plane:
//   out[oh][ow] = b + sum_{i,j} w[i][j] P[oh sh + i dh][ow sw + j dw]
// with the output width on the vector lanes (8 floats or 4 doubles).
// P's columns are split into sw phases (column c at phase c % sw, position
// c / sw; for stride 2 the copy splits even and odd columns with two shuffles
// per vector), so that a stride-2 read of a row is a contiguous vector load;
// the padding is in P, so the loops have no edge cases, and a row's last,
// partial vector is stored through a mask.
//   forward          P = x padded by (ph, pw), w as is
//   backward-input   stride 1: gx = the plane convolution of gy padded by
//                    ((kh-1) dh - ph, (kw-1) dw - pw) with w flipped in both
//                    axes (the adjoint of the forward's gather);
//                    stride s > 1: by output phase (rh, rv) = (h mod sh, v mod sw),
//                    each a stride-1 plane convolution of padded gy with only the
//                    taps whose h + ph - i dh divides by sh (likewise columns),
//                    the phases put back in place (two shuffles per vector at
//                    column stride 2)
//   backward-weight  gw[c][i][j] = sum_{n,oh,ow} gy[n,c][oh][ow] P_{n,c}[oh sh + i dh][ow sw + j dw]:
//                    a dot product per tap over the plane, kept as L lane
//                    partial sums in T over the batch, the lanes then summed
//                    in double
// Threads go over the (image, channel) planes for the first two and over the
// channels for the weight gradient (each sums its batch in order: the same
// bits for any thread count).
#include "advgrad/kernels/conv_params.h"

namespace advgrad::kernels::cpu::conv_detail {

// groups == C == O, C > 1 (a channel multiplier takes the portable loops).
bool depthwise_avx2_usable(const Conv2dParams& p);

template <typename T>
void depthwise_avx2_forward(const Conv2dParams& p, const T* x, const T* w, const T* bias, T* y);
template <typename T>
void depthwise_avx2_backward_input(const Conv2dParams& p, const T* gy, const T* w, T* gx);
template <typename T>
void depthwise_avx2_backward_weight(const Conv2dParams& p, const T* x, const T* gy, T* gw);

}  // namespace advgrad::kernels::cpu::conv_detail
