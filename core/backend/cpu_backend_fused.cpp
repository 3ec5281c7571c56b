// CPU backend: the fused optimizer updates and the fused attack step. Both
// personalities run the reference loops (kernels/reference/fused.h): the work
// is one pass over memory, which a plain loop already does.
#include "advgrad/core/backend/cpu_backend.h"
#include "advgrad/kernels/reference/fused.h"

namespace advgrad {

namespace ref = kernels::reference;

void CpuBackend::sgd_update(DType dtype, const kernels::SgdParams& p, std::int64_t n, void* param, const void* grad,
                            void* momentum) {
  dispatch_floating(dtype, "sgd_update", [&](auto tag) {
    using T = typename decltype(tag)::type;
    ref::sgd_update<T>(p, n, static_cast<T*>(param), static_cast<const T*>(grad), static_cast<T*>(momentum));
  });
}

void CpuBackend::adam_update(DType dtype, const kernels::AdamParams& p, std::int64_t n, void* param, const void* grad,
                             void* exp_avg, void* exp_avg_sq) {
  dispatch_floating(dtype, "adam_update", [&](auto tag) {
    using T = typename decltype(tag)::type;
    ref::adam_update<T>(p, n, static_cast<T*>(param), static_cast<const T*>(grad), static_cast<T*>(exp_avg),
                        static_cast<T*>(exp_avg_sq));
  });
}

void CpuBackend::attack_step(DType dtype, const kernels::AttackStepParams& p, void* x_adv, const void* grad,
                             const void* x) {
  dispatch_floating(dtype, "attack_step", [&](auto tag) {
    using T = typename decltype(tag)::type;
    ref::attack_step<T>(p, static_cast<T*>(x_adv), static_cast<const T*>(grad), static_cast<const T*>(x));
  });
}

}  // namespace advgrad
