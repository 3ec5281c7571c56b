#pragma once
// An affine classifier z = W x + b on [N, d] inputs (float64), and a batch it
// classifies, labelled with its own answers: the model whose closest decision
// boundaries are known in closed form (the minimal-norm attacks' yardstick).
#include <memory>

#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/nn/linear.h"

namespace advgrad::testing {

struct Affine {
  std::unique_ptr<nn::Linear> model;
  Tensor x, y;
};

inline Affine affine(std::uint64_t seed, std::int64_t d, std::int64_t classes, std::int64_t n) {
  Generator gen(seed);
  Affine a{std::make_unique<nn::Linear>(d, classes, gen), randn({n, d}, gen, TensorOptions{DType::Float64}), Tensor()};
  a.model->to(DType::Float64);
  NoGradGuard no_grad;
  a.y = argmax((*a.model)(a.x), 1);
  return a;
}

}  // namespace advgrad::testing
