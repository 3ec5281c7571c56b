// conv2d on the device (kernels/cuda/conv.h): picks the algorithm for each
// pass. The caller's choice (advgrad::cuda::set_conv_algorithm, default the
// implicit GEMM) is honoured, except that a problem too large for the implicit
// GEMM's 32-bit tile coordinates (implicit_gemm_supports) falls back to the
// direct kernels, which index in int64 throughout. Both add the bias in the
// forward kernel itself. A depthwise convolution (groups == C == O) under the
// implicit GEMM, whose tiles would hold one useful row in 64, takes the
// depthwise route instead: the direct kernels forward and backward-input, a
// block reduction per weight element for the weight gradient
// (kernels/cuda/conv_depthwise.cu). The Direct choice stays the plain loops. Empty outputs launch nothing; an empty
// batch still writes gw (all zeros: a sum over nothing).
#include "advgrad/kernels/cuda/conv.h"

#include "advgrad/kernels/cuda/conv_algorithms.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

namespace {
bool use_depthwise(ConvKernel kernel, const Conv2dParams& p) {
  return kernel == ConvKernel::ImplicitGemm && is_depthwise(p);
}
bool use_implicit_gemm(ConvKernel kernel, const Conv2dParams& p) {
  return kernel == ConvKernel::ImplicitGemm && implicit_gemm_supports(p) && !is_depthwise(p);
}
}  // namespace

template <typename T>
void conv2d_forward(ConvKernel kernel, const Conv2dParams& p, const T* x, const T* w, const T* bias, T* y) {
  if (p.N * p.O * p.OH * p.OW == 0) return;
  if (use_implicit_gemm(kernel, p))
    conv2d_forward_implicit_gemm(p, x, w, bias, y);
  else
    conv2d_forward_direct(p, x, w, bias, y);
}

template <typename T>
void conv2d_backward_input(ConvKernel kernel, const Conv2dParams& p, const T* gy, const T* w, T* gx) {
  if (p.N * p.C * p.H * p.W == 0) return;
  if (use_implicit_gemm(kernel, p))
    conv2d_backward_input_implicit_gemm(p, gy, w, gx);
  else
    conv2d_backward_input_direct(p, gy, w, gx);
}

template <typename T>
void conv2d_backward_weight(ConvKernel kernel, const Conv2dParams& p, const T* x, const T* gy, T* gw) {
  if (p.O * p.C * p.kh * p.kw == 0) return;
  if (use_depthwise(kernel, p))
    conv2d_backward_weight_depthwise(p, x, gy, gw);
  else if (use_implicit_gemm(kernel, p))
    conv2d_backward_weight_implicit_gemm(p, x, gy, gw);
  else
    conv2d_backward_weight_direct(p, x, gy, gw);
}

#define ADVGRAD_CONV_INSTANTIATE(T)                                                                   \
  template void conv2d_forward<T>(ConvKernel, const Conv2dParams&, const T*, const T*, const T*, T*); \
  template void conv2d_backward_input<T>(ConvKernel, const Conv2dParams&, const T*, const T*, T*);    \
  template void conv2d_backward_weight<T>(ConvKernel, const Conv2dParams&, const T*, const T*, T*);
ADVGRAD_CONV_INSTANTIATE(float)
ADVGRAD_CONV_INSTANTIATE(double)
#undef ADVGRAD_CONV_INSTANTIATE

ADVGRAD_CUDA_NAMESPACE_END
