#pragma once
// Reference 2-D pooling kernels: plain loops over every output element. The
// oracle for kernels/cpu/pool.h. Buffers contiguous NCHW; indices are int64
// positions h * W + w inside the input's H x W plane.
//
// Max pooling:  y[n,c,oh,ow] = max over the window of x (padding never wins);
//   index = the FIRST maximum in row-major window order (strictly greater
//   values replace it; a NaN wins over numbers, the first NaN is kept).
//   Backward scatters: gx[n,c,idx] += gy[n,c,oh,ow] (overlapping windows add).
//   The backward is linear in gy; its own adjoint gathers: out[n,c,o] = in[n,c,idx[o]].
// Average pooling: y = (1/d) sum over the window clipped to the input, where
//   the window is first clipped to the padded input [-ph, H + ph) and
//   d = its size when count_include_pad, else the number of real pixels.
//   Backward: gx[window] += gy / d (linear; its adjoint is the forward).
// Adaptive average pooling: output (oh, ow) averages rows
//   [floor(oh H / OH), ceil((oh + 1) H / OH)) and likewise columns.
#include <cstdint>

#include "advgrad/kernels/conv_params.h"

namespace advgrad::kernels::reference {

template <typename T>
void max_pool2d_forward(const Pool2dParams& p, const T* x, T* y, std::int64_t* indices);
// gx (N, C, H, W) is overwritten.
template <typename T>
void max_pool2d_backward(const Pool2dParams& p, const T* gy, const std::int64_t* indices, T* gx);
// out (N, C, OH, OW) = in (N, C, H, W) at indices.
template <typename T>
void max_pool2d_gather(const Pool2dParams& p, const T* in, const std::int64_t* indices, T* out);

template <typename T>
void avg_pool2d_forward(const Pool2dParams& p, const T* x, T* y);
template <typename T>
void avg_pool2d_backward(const Pool2dParams& p, const T* gy, T* gx);

template <typename T>
void adaptive_avg_pool2d_forward(const Pool2dParams& p, const T* x, T* y);
template <typename T>
void adaptive_avg_pool2d_backward(const Pool2dParams& p, const T* gy, T* gx);

}  // namespace advgrad::kernels::reference
