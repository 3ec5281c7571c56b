// TEMPORARY (development branches only, never on main): throwing placeholders
// for the kernels of this family until their real .cu lands. Delete this file
// when the family is written.
#include <stdexcept>
#include <string>

#include "kernels/cuda/runtime.h"
#include "kernels/cuda/fused.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN
namespace {
[[noreturn]] void pending(const char* k) { throw CudaError(std::string("kernel not written yet: ") + k); }
}  // namespace
template <typename T> void sgd_update(const SgdParams&, std::int64_t, T*, const T*, T*) { pending("sgd_update"); }
template <typename T> void adam_update(const AdamParams&, std::int64_t, T*, const T*, T*, T*) { pending("adam_update"); }
template <typename T> void attack_step(const AttackStepParams&, T*, const T*, const T*) { pending("attack_step"); }
#define I(T) template void sgd_update<T>(const SgdParams&, std::int64_t, T*, const T*, T*); \
  template void adam_update<T>(const AdamParams&, std::int64_t, T*, const T*, T*, T*); \
  template void attack_step<T>(const AttackStepParams&, T*, const T*, const T*);
I(float) I(double)
#undef I
ADVGRAD_CUDA_NAMESPACE_END
