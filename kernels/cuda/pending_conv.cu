// TEMPORARY (development branches only, never on main): throwing placeholders
// for the kernels of this family until their real .cu lands. Delete this file
// when the family is written.
#include <stdexcept>
#include <string>

#include "kernels/cuda/runtime.h"
#include "kernels/cuda/conv.h"
#include "kernels/cuda/pool.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN
namespace {
[[noreturn]] void pending(const char* k) { throw CudaError(std::string("kernel not written yet: ") + k); }
}  // namespace
template <typename T> void conv2d_forward(ConvKernel, const Conv2dParams&, const T*, const T*, const T*, T*) { pending("conv2d_forward"); }
template <typename T> void conv2d_backward_input(ConvKernel, const Conv2dParams&, const T*, const T*, T*) { pending("conv2d_backward_input"); }
template <typename T> void conv2d_backward_weight(ConvKernel, const Conv2dParams&, const T*, const T*, T*) { pending("conv2d_backward_weight"); }
#define I(T) template void conv2d_forward<T>(ConvKernel, const Conv2dParams&, const T*, const T*, const T*, T*); \
  template void conv2d_backward_input<T>(ConvKernel, const Conv2dParams&, const T*, const T*, T*); \
  template void conv2d_backward_weight<T>(ConvKernel, const Conv2dParams&, const T*, const T*, T*);
I(float) I(double)
#undef I
template <typename T> void max_pool2d_forward(const Pool2dParams&, const T*, T*, std::int64_t*) { pending("max_pool2d"); }
template <typename T> void max_pool2d_backward(const Pool2dParams&, const T*, const std::int64_t*, T*) { pending("max_pool2d_backward"); }
template <typename T> void max_pool2d_gather(const Pool2dParams&, const T*, const std::int64_t*, T*) { pending("max_pool2d_gather"); }
template <typename T> void avg_pool2d_forward(const Pool2dParams&, const T*, T*) { pending("avg_pool2d"); }
template <typename T> void avg_pool2d_backward(const Pool2dParams&, const T*, T*) { pending("avg_pool2d_backward"); }
template <typename T> void adaptive_avg_pool2d_forward(const Pool2dParams&, const T*, T*) { pending("adaptive_avg_pool2d"); }
template <typename T> void adaptive_avg_pool2d_backward(const Pool2dParams&, const T*, T*) { pending("adaptive_avg_pool2d_backward"); }
#define I(T) template void max_pool2d_forward<T>(const Pool2dParams&, const T*, T*, std::int64_t*); \
  template void max_pool2d_backward<T>(const Pool2dParams&, const T*, const std::int64_t*, T*); \
  template void max_pool2d_gather<T>(const Pool2dParams&, const T*, const std::int64_t*, T*); \
  template void avg_pool2d_forward<T>(const Pool2dParams&, const T*, T*); \
  template void avg_pool2d_backward<T>(const Pool2dParams&, const T*, T*); \
  template void adaptive_avg_pool2d_forward<T>(const Pool2dParams&, const T*, T*); \
  template void adaptive_avg_pool2d_backward<T>(const Pool2dParams&, const T*, T*);
I(float) I(double)
#undef I
ADVGRAD_CUDA_NAMESPACE_END
