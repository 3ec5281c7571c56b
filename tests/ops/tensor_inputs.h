#pragma once
// Random and non-contiguous tensors for tests and benchmarks (no GoogleTest).
#include <cstdint>

#include "advgrad/advgrad.h"

namespace advgrad::testing {

// Uniform in [lo, hi) drawn from a fixed seed mixed with `salt`.
Tensor random_tensor(const Shape& shape, std::uint64_t salt, DType dtype = DType::Float64, double lo = -1.0,
                     double hi = 1.0);
// A non-contiguous tensor with the same values on the same device: a
// transposed copy viewed back (1-D: every other element of a longer buffer).
Tensor non_contiguous(const Tensor& t);

}  // namespace advgrad::testing
