#pragma once
// Fused update kernels on the device (kernels/fused_params.h has the math),
// float and double, in place: an optimizer step in one pass over a parameter,
// and one attack iteration (normalise, step, project, clip) in one kernel with
// a block per example for the per-example norms.
#include <cstdint>

#include "advgrad/kernels/cuda/namespace.h"
#include "advgrad/kernels/fused_params.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

template <typename T>
void sgd_update(const SgdParams& p, std::int64_t n, T* param, const T* grad, T* momentum /* nullable */);
template <typename T>
void adam_update(const AdamParams& p, std::int64_t n, T* param, const T* grad, T* exp_avg, T* exp_avg_sq);
template <typename T>
void attack_step(const AttackStepParams& p, T* x_adv, const T* grad, const T* x);

ADVGRAD_CUDA_NAMESPACE_END
