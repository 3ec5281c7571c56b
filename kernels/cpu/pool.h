#pragma once
// Fast CPU 2-D pooling (same contract, tie rule and math as
// kernels/reference/pool.h). Threads over the N*C planes; every plane is
// written by one thread in a fixed order, so results never depend on timing
// or on the thread count. Max pooling has a branch-light path for windows that
// lie fully inside the image.
#include <cstdint>

#include "advgrad/kernels/conv_params.h"

namespace advgrad::kernels::cpu {

template <typename T>
void max_pool2d_forward(const Pool2dParams& p, const T* x, T* y, std::int64_t* indices);
template <typename T>
void max_pool2d_backward(const Pool2dParams& p, const T* gy, const std::int64_t* indices, T* gx);
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

}  // namespace advgrad::kernels::cpu
