#pragma once
// Batch normalisation over a contiguous input viewed as [N, C, S] (S = the
// product of the spatial dims, 1 for [N, C]); statistics are per channel c
// over the M = N * S values x[n, c, s].
#include <cstdint>

namespace advgrad::kernels {

struct BatchNormShape {
  std::int64_t n = 0, c = 0, s = 1;
  std::int64_t per_channel() const { return n * s; }
};

}  // namespace advgrad::kernels
