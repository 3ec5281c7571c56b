#pragma once
// 2-D convolution on the device, float and double, contiguous NCHW buffers
// (kernels/conv_params.h has the math; stride, padding, dilation, groups).
// Two algorithms, both checked against kernels/reference/conv.h:
//   Direct:       one thread per output element, the loops of the formula;
//   ImplicitGemm: the convolution as a GEMM whose im2col matrix is never
//                 stored — tiles of it are gathered into shared memory.
// Outputs are overwritten.
#include "advgrad/kernels/conv_params.h"
#include "advgrad/kernels/cuda/namespace.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

enum class ConvKernel { Direct, ImplicitGemm };

template <typename T>
void conv2d_forward(ConvKernel kernel, const Conv2dParams& p, const T* x, const T* w, const T* bias /* nullable */,
                    T* y);
template <typename T>
void conv2d_backward_input(ConvKernel kernel, const Conv2dParams& p, const T* gy, const T* w, T* gx);
template <typename T>
void conv2d_backward_weight(ConvKernel kernel, const Conv2dParams& p, const T* x, const T* gy, T* gw);

ADVGRAD_CUDA_NAMESPACE_END
