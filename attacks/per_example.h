#pragma once
// Per-example views of a batch [N, ...]: an attack normalises, projects and
// compares each example on its own.
#include "advgrad/core/tensor.h"

namespace advgrad::attacks {

// v [N] viewed as [N, 1, 1, ...] so that it broadcasts over each example of `like`.
inline Tensor per_example(const Tensor& v, const Tensor& like) {
  Shape s(static_cast<std::size_t>(like.dim()), 1);
  s[0] = like.size(0);
  return v.reshape(s);
}

// Every dim but the batch dim: 1 .. dim-1.
inline Dims non_batch_dims(const Tensor& t) {
  Dims d;
  for (std::int64_t i = 1; i < t.dim(); ++i) d.push_back(i);
  return d;
}

}  // namespace advgrad::attacks
