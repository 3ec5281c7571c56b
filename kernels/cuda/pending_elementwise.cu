// TEMPORARY (development branches only, never on main): throwing placeholders
// for the kernels of this family until their real .cu lands. Delete this file
// when the family is written.
#include <stdexcept>
#include <string>

#include "kernels/cuda/runtime.h"
#include "kernels/cuda/elementwise.h"
#include "kernels/cuda/reduce.h"
#include "kernels/cuda/index.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN
namespace {
[[noreturn]] void pending(const char* k) { throw CudaError(std::string("kernel not written yet: ") + k); }
}  // namespace
template <typename T> void unary(UnaryOp, const StridedLoop&, T*, const T*, const OpParams&) { pending("unary"); }
template <typename T> void binary(BinaryOp, const StridedLoop&, T*, const T*, const T*, const OpParams&) { pending("binary"); }
template <typename T> void where(const StridedLoop&, T*, const T*, const T*, const T*) { pending("where"); }
template <typename To, typename From> void cast(const StridedLoop&, To*, const From*) { pending("cast"); }
template <typename T> void fill(T*, std::int64_t, T) { pending("fill"); }
template <typename T> void random_uniform(T*, std::int64_t, double, double, std::uint64_t, std::uint64_t) { pending("uniform"); }
template <typename T> void random_normal(T*, std::int64_t, double, double, std::uint64_t, std::uint64_t) { pending("normal"); }
#define I(T) template void unary<T>(UnaryOp, const StridedLoop&, T*, const T*, const OpParams&); \
  template void where<T>(const StridedLoop&, T*, const T*, const T*, const T*); \
  template void random_uniform<T>(T*, std::int64_t, double, double, std::uint64_t, std::uint64_t); \
  template void random_normal<T>(T*, std::int64_t, double, double, std::uint64_t, std::uint64_t);
I(float) I(double)
#undef I
#define I(T) template void binary<T>(BinaryOp, const StridedLoop&, T*, const T*, const T*, const OpParams&); \
  template void fill<T>(T*, std::int64_t, T); \
  template void cast<T, float>(const StridedLoop&, T*, const float*); \
  template void cast<T, double>(const StridedLoop&, T*, const double*); \
  template void cast<T, std::int64_t>(const StridedLoop&, T*, const std::int64_t*);
I(float) I(double) I(std::int64_t)
#undef I
template <typename T> void reduce(ReduceOp, const ReduceLoop&, T*, const T*) { pending("reduce"); }
template <typename T> void arg_reduce(bool, const ReduceLoop&, T*, std::int64_t*, const T*) { pending("arg_reduce"); }
template void reduce<float>(ReduceOp, const ReduceLoop&, float*, const float*);
template void reduce<double>(ReduceOp, const ReduceLoop&, double*, const double*);
template void arg_reduce<float>(bool, const ReduceLoop&, float*, std::int64_t*, const float*);
template void arg_reduce<double>(bool, const ReduceLoop&, double*, std::int64_t*, const double*);
template <typename T> IndexStatus gather(const IndexLoop&, T*, const T*, const std::int64_t*) { pending("gather"); }
template <typename T> IndexStatus scatter_add(const IndexLoop&, T*, const T*, const std::int64_t*) { pending("scatter_add"); }
#define I(T) template IndexStatus gather<T>(const IndexLoop&, T*, const T*, const std::int64_t*); \
  template IndexStatus scatter_add<T>(const IndexLoop&, T*, const T*, const std::int64_t*);
I(float) I(double) I(std::int64_t)
#undef I
ADVGRAD_CUDA_NAMESPACE_END
