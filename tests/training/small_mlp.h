#pragma once
// A small MLP trained on a split for a few epochs (batch 32, Adam, no
// progress bar): the model the natural-robustness tests measure.
#include <sstream>

#include "advgrad/nn/models.h"
#include "advgrad/training/trainer.h"

namespace advgrad::training::test {

inline nn::ModulePtr train_small_mlp(const data::Split& data, std::int64_t epochs) {
  nn::ModelConfig c;
  c.arch = "mlp";
  TrainerOptions o;
  o.epochs = epochs;
  o.batch_size = 32;
  o.progress = 0;
  auto model = nn::build_model(c);
  Trainer t(model, c, o);
  std::ostringstream log;
  t.fit(data.train, data.test, log);
  return model;
}

}  // namespace advgrad::training::test
