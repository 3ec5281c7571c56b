#pragma once
// Dropout: in training, zeroes each element with probability p and scales the
// rest by 1/(1-p); identity in eval. Its mask comes from the module's own
// Generator, seeded at construction, so runs are reproducible.
#include "advgrad/core/generator.h"
#include "advgrad/nn/module.h"

namespace advgrad::nn {

class Dropout : public Module {
 public:
  Dropout(double p, std::uint64_t seed);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Dropout"; }
  std::string extra_repr() const override { return "p=" + std::to_string(p_); }
  Generator& generator() { return gen_; }

 private:
  double p_;
  Generator gen_;
};

}  // namespace advgrad::nn
