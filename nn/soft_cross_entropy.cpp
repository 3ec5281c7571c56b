#include "advgrad/nn/soft_cross_entropy.h"

namespace advgrad::nn {

Tensor soft_cross_entropy(const Tensor& logits, const Tensor& targets, Reduction reduction) {
  ADVGRAD_CHECK(logits.defined() && targets.defined(), "soft_cross_entropy: undefined logits or targets");
  ADVGRAD_CHECK(logits.dim() == 2 && logits.shape() == targets.shape(), "soft_cross_entropy: logits ",
                shape_str(logits.shape()), " and targets ", shape_str(targets.shape()),
                " must both have shape [N, K]");
  ADVGRAD_CHECK(logits.dtype() == targets.dtype(), "soft_cross_entropy: logits are ", dtype_name(logits.dtype()),
                ", targets are ", dtype_name(targets.dtype()));
  // log_softmax is the numerically stable z - logsumexp(z).
  Tensor per_example = neg(sum(mul(targets, log_softmax(logits, 1)), {1}));
  switch (reduction) {
    case Reduction::None: return per_example;
    case Reduction::Sum: return sum(per_example);
    default: return mean(per_example);
  }
}

}  // namespace advgrad::nn
