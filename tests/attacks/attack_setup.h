#pragma once
// A random small CNN on 12x12 grey images with a batch to attack: the labels
// are random classes, or with own_labels the model's own clean answers (so
// every example starts correctly classified and an attack has work to do).
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/nn/models.h"

namespace advgrad::testing {

struct AttackSetup {
  nn::ModulePtr model;
  Tensor x, y;
};

inline AttackSetup random_cnn(std::uint64_t seed, const std::string& arch = "small-cnn", std::int64_t n = 8,
                              bool own_labels = false) {
  nn::ModelConfig c;
  c.arch = arch;
  c.seed = seed;
  c.height = c.width = 12;
  Generator gen(seed + 100);
  AttackSetup s{nn::build_model(c), rand({n, 1, 12, 12}, gen), randint(0, 10, {n}, gen)};
  if (own_labels) {
    s.model->eval();
    NoGradGuard no_grad;
    s.y = argmax((*s.model)(s.x), 1);
  }
  return s;
}

}  // namespace advgrad::testing
