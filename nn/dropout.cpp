#include "advgrad/nn/dropout.h"

#include "advgrad/core/ops/ops.h"

namespace advgrad::nn {

Dropout::Dropout(double p, std::uint64_t seed) : p_(p), gen_(seed) {
  ADVGRAD_CHECK(p >= 0 && p < 1, "Dropout: p must be in [0, 1), got ", p);
}

Tensor Dropout::forward(const Tensor& x) { return dropout(x, p_, is_training(), gen_); }

}  // namespace advgrad::nn
