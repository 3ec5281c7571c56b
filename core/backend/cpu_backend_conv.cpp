// CPU backend: convolution and pooling (reference loops or fast kernels).
#include "advgrad/core/backend/cpu_backend.h"
#include "advgrad/kernels/cpu/conv.h"
#include "advgrad/kernels/cpu/pool.h"
#include "advgrad/kernels/reference/conv.h"
#include "advgrad/kernels/reference/pool.h"

namespace advgrad {

namespace ref = kernels::reference;
namespace fast = kernels::cpu;
using kernels::Conv2dParams;
using kernels::Pool2dParams;

void CpuBackend::conv2d_forward(DType dtype, const Conv2dParams& p, const void* x, const void* w, const void* bias,
                                void* y) {
  dispatch_floating(dtype, "conv2d", [&](auto tag) {
    using T = typename decltype(tag)::type;
    (reference_ ? ref::conv2d_forward<T> : fast::conv2d_forward<T>)(
        p, static_cast<const T*>(x), static_cast<const T*>(w), static_cast<const T*>(bias), static_cast<T*>(y));
  });
}

void CpuBackend::conv2d_backward_input(DType dtype, const Conv2dParams& p, const void* gy, const void* w,
                                       void* gx) {
  dispatch_floating(dtype, "conv2d_input_grad", [&](auto tag) {
    using T = typename decltype(tag)::type;
    (reference_ ? ref::conv2d_backward_input<T> : fast::conv2d_backward_input<T>)(
        p, static_cast<const T*>(gy), static_cast<const T*>(w), static_cast<T*>(gx));
  });
}

void CpuBackend::conv2d_backward_weight(DType dtype, const Conv2dParams& p, const void* x, const void* gy,
                                        void* gw) {
  dispatch_floating(dtype, "conv2d_weight_grad", [&](auto tag) {
    using T = typename decltype(tag)::type;
    (reference_ ? ref::conv2d_backward_weight<T> : fast::conv2d_backward_weight<T>)(
        p, static_cast<const T*>(x), static_cast<const T*>(gy), static_cast<T*>(gw));
  });
}

void CpuBackend::max_pool2d_forward(DType dtype, const Pool2dParams& p, const void* x, void* y,
                                    std::int64_t* indices) {
  dispatch_floating(dtype, "max_pool2d", [&](auto tag) {
    using T = typename decltype(tag)::type;
    (reference_ ? ref::max_pool2d_forward<T> : fast::max_pool2d_forward<T>)(p, static_cast<const T*>(x),
                                                                            static_cast<T*>(y), indices);
  });
}

void CpuBackend::max_pool2d_backward(DType dtype, const Pool2dParams& p, const void* gy,
                                     const std::int64_t* indices, void* gx) {
  dispatch_floating(dtype, "max_pool2d_backward", [&](auto tag) {
    using T = typename decltype(tag)::type;
    (reference_ ? ref::max_pool2d_backward<T> : fast::max_pool2d_backward<T>)(p, static_cast<const T*>(gy), indices,
                                                                              static_cast<T*>(gx));
  });
}

void CpuBackend::max_pool2d_gather(DType dtype, const Pool2dParams& p, const void* in, const std::int64_t* indices,
                                   void* out) {
  dispatch_floating(dtype, "max_pool2d_gather", [&](auto tag) {
    using T = typename decltype(tag)::type;
    (reference_ ? ref::max_pool2d_gather<T> : fast::max_pool2d_gather<T>)(p, static_cast<const T*>(in), indices,
                                                                          static_cast<T*>(out));
  });
}

void CpuBackend::avg_pool2d_forward(DType dtype, const Pool2dParams& p, const void* x, void* y) {
  dispatch_floating(dtype, "avg_pool2d", [&](auto tag) {
    using T = typename decltype(tag)::type;
    (reference_ ? ref::avg_pool2d_forward<T> : fast::avg_pool2d_forward<T>)(p, static_cast<const T*>(x),
                                                                            static_cast<T*>(y));
  });
}

void CpuBackend::avg_pool2d_backward(DType dtype, const Pool2dParams& p, const void* gy, void* gx) {
  dispatch_floating(dtype, "avg_pool2d_backward", [&](auto tag) {
    using T = typename decltype(tag)::type;
    (reference_ ? ref::avg_pool2d_backward<T> : fast::avg_pool2d_backward<T>)(p, static_cast<const T*>(gy),
                                                                              static_cast<T*>(gx));
  });
}

void CpuBackend::adaptive_avg_pool2d_forward(DType dtype, const Pool2dParams& p, const void* x, void* y) {
  dispatch_floating(dtype, "adaptive_avg_pool2d", [&](auto tag) {
    using T = typename decltype(tag)::type;
    (reference_ ? ref::adaptive_avg_pool2d_forward<T> : fast::adaptive_avg_pool2d_forward<T>)(
        p, static_cast<const T*>(x), static_cast<T*>(y));
  });
}

void CpuBackend::adaptive_avg_pool2d_backward(DType dtype, const Pool2dParams& p, const void* gy, void* gx) {
  dispatch_floating(dtype, "adaptive_avg_pool2d_backward", [&](auto tag) {
    using T = typename decltype(tag)::type;
    (reference_ ? ref::adaptive_avg_pool2d_backward<T> : fast::adaptive_avg_pool2d_backward<T>)(
        p, static_cast<const T*>(gy), static_cast<T*>(gx));
  });
}

}  // namespace advgrad
