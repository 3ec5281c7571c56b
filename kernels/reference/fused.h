#pragma once
// Reference loops of the fused updates (kernels/fused_params.h has the math).
// Both CPU backends use them: an update is one pass over memory either way.
#include <cstdint>

#include "advgrad/kernels/fused_params.h"

namespace advgrad::kernels::reference {

template <typename T>
void sgd_update(const SgdParams& p, std::int64_t n, T* param, const T* grad, T* momentum);
template <typename T>
void adam_update(const AdamParams& p, std::int64_t n, T* param, const T* grad, T* exp_avg, T* exp_avg_sq);
template <typename T>
void attack_step(const AttackStepParams& p, T* x_adv, const T* grad, const T* x);

}  // namespace advgrad::kernels::reference
