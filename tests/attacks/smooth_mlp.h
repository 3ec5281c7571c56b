#pragma once
// A small MLP on 8x8 images with a smooth activation (SiLU), so that
// integrated gradients and finite differences converge; float64 by default.
#include "advgrad/nn/models.h"

namespace advgrad::testing {

inline nn::ModulePtr smooth_mlp(std::uint64_t seed, DType dtype = DType::Float64) {
  nn::ModelConfig c;
  c.arch = "mlp";
  c.activation = "silu";
  c.seed = seed;
  c.height = c.width = 8;
  auto m = nn::build_model(c);
  m->to(dtype);
  return m;
}

}  // namespace advgrad::testing
