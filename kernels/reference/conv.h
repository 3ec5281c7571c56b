#pragma once
// Reference 2-D convolution kernels: plain nested loops, one output element at
// a time, accumulating in double for float. Slow on purpose: the oracle for
// kernels/cpu/conv.h and the lesson. All buffers contiguous NCHW.
//
// Forward (cross-correlation), with g = o / Og, Og = O/groups, Cg = C/groups:
//   y[n,o,oh,ow] = b[o] + sum_{c<Cg, i<kh, j<kw} x[n, g Cg + c, oh sh - ph + i dh, ow sw - pw + j dw] w[o,c,i,j]
// x outside the image reads as 0. y is linear in x and in w, so the backward
// kernels are the two adjoints (transposes) of that sum:
//   dL/dx[n, g Cg + c, h, v] = sum_{o in group g, i, j, oh, ow with oh sh - ph + i dh = h and
//                                    ow sw - pw + j dw = v} gy[n,o,oh,ow] w[o,c,i,j]
//   dL/dw[o,c,i,j]           = sum_{n, oh, ow} gy[n,o,oh,ow] x[n, g Cg + c, oh sh - ph + i dh, ow sw - pw + j dw]
//   dL/db[o]                 = sum_{n, oh, ow} gy[n,o,oh,ow]   (a plain sum, done in core/)
#include "advgrad/kernels/conv_params.h"

namespace advgrad::kernels::reference {

// y = conv(x, w) + bias; bias may be null.
template <typename T>
void conv2d_forward(const Conv2dParams& p, const T* x, const T* w, const T* bias, T* y);
// gx = dL/dx given gy = dL/dy (gx is overwritten).
template <typename T>
void conv2d_backward_input(const Conv2dParams& p, const T* gy, const T* w, T* gx);
// gw = dL/dw given x and gy (gw is overwritten).
template <typename T>
void conv2d_backward_weight(const Conv2dParams& p, const T* x, const T* gy, T* gw);

}  // namespace advgrad::kernels::reference
