// CPU backend: softmax, losses, batch normalisation and indexing. Each entry
// picks the reference loops or the fast kernels (kernels/reference, kernels/cpu).
#include "advgrad/core/backend/cpu_backend.h"
#include "advgrad/kernels/cpu/batch_norm.h"
#include "advgrad/kernels/cpu/index.h"
#include "advgrad/kernels/cpu/softmax.h"
#include "advgrad/kernels/reference/batch_norm.h"
#include "advgrad/kernels/reference/index.h"
#include "advgrad/kernels/reference/softmax.h"

namespace advgrad {

namespace ref = kernels::reference;
namespace fast = kernels::cpu;

// ---- softmax and the cross-entropy gradient ----
void CpuBackend::softmax(bool log, DType dtype, const kernels::RowLoop& loop, void* out, const void* x) {
  dispatch_floating(dtype, log ? "log_softmax" : "softmax", [&](auto tag) {
    using T = typename decltype(tag)::type;
    (reference_ ? ref::softmax<T> : fast::softmax<T>)(log, loop, static_cast<T*>(out), static_cast<const T*>(x));
  });
}

void CpuBackend::softmax_backward(bool log, DType dtype, const kernels::RowLoop& loop, void* grad_x,
                                  const void* grad_y, const void* y) {
  dispatch_floating(dtype, log ? "log_softmax_backward" : "softmax_backward", [&](auto tag) {
    using T = typename decltype(tag)::type;
    (reference_ ? ref::softmax_backward<T> : fast::softmax_backward<T>)(
        log, loop, static_cast<T*>(grad_x), static_cast<const T*>(grad_y), static_cast<const T*>(y));
  });
}

void CpuBackend::cross_entropy_backward(DType dtype, const kernels::RowLoop& loop,
                                        const kernels::CrossEntropyParams& params, void* grad_logits,
                                        const void* log_probs, const void* grad_loss, const std::int64_t* labels) {
  dispatch_floating(dtype, "cross_entropy_backward", [&](auto tag) {
    using T = typename decltype(tag)::type;
    (reference_ ? ref::cross_entropy_backward<T> : fast::cross_entropy_backward<T>)(
        loop, params, static_cast<T*>(grad_logits), static_cast<const T*>(log_probs),
        static_cast<const T*>(grad_loss), labels);
  });
}

// ---- batch normalisation ----
void CpuBackend::batch_norm_stats(DType dtype, const kernels::BatchNormShape& shape, const void* x, void* mean,
                                  void* var) {
  dispatch_floating(dtype, "batch_norm", [&](auto tag) {
    using T = typename decltype(tag)::type;
    (reference_ ? ref::batch_norm_stats<T> : fast::batch_norm_stats<T>)(shape, static_cast<const T*>(x),
                                                                         static_cast<T*>(mean), static_cast<T*>(var));
  });
}

void CpuBackend::batch_norm_forward(DType dtype, const kernels::BatchNormShape& shape, const void* x,
                                    const void* mean, const void* invstd, const void* weight, const void* bias,
                                    void* y) {
  dispatch_floating(dtype, "batch_norm", [&](auto tag) {
    using T = typename decltype(tag)::type;
    (reference_ ? ref::batch_norm_forward<T> : fast::batch_norm_forward<T>)(
        shape, static_cast<const T*>(x), static_cast<const T*>(mean), static_cast<const T*>(invstd),
        static_cast<const T*>(weight), static_cast<const T*>(bias), static_cast<T*>(y));
  });
}

void CpuBackend::batch_norm_backward(DType dtype, const kernels::BatchNormShape& shape, bool batch_stats,
                                     const void* grad_y, const void* x, const void* mean, const void* invstd,
                                     const void* weight, void* grad_x, void* grad_weight, void* grad_bias) {
  dispatch_floating(dtype, "batch_norm_backward", [&](auto tag) {
    using T = typename decltype(tag)::type;
    (reference_ ? ref::batch_norm_backward<T> : fast::batch_norm_backward<T>)(
        shape, batch_stats, static_cast<const T*>(grad_y), static_cast<const T*>(x), static_cast<const T*>(mean),
        static_cast<const T*>(invstd), static_cast<const T*>(weight), static_cast<T*>(grad_x),
        static_cast<T*>(grad_weight), static_cast<T*>(grad_bias));
  });
}

// ---- indexing ----
kernels::IndexStatus CpuBackend::gather(DType dtype, const kernels::IndexLoop& loop, void* dense, const void* indexed,
                                        const std::int64_t* index) {
  return dispatch_all(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    return (reference_ ? ref::gather<T> : fast::gather<T>)(loop, static_cast<T*>(dense),
                                                           static_cast<const T*>(indexed), index);
  });
}

kernels::IndexStatus CpuBackend::scatter_add(DType dtype, const kernels::IndexLoop& loop, void* indexed,
                                             const void* dense, const std::int64_t* index) {
  return dispatch_all(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    return (reference_ ? ref::scatter_add<T> : fast::scatter_add<T>)(loop, static_cast<T*>(indexed),
                                                                     static_cast<const T*>(dense), index);
  });
}

}  // namespace advgrad
