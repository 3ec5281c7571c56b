#pragma once
// Parameter initialisation, in place, from an explicit Generator.
// fan_in = in_features * kernel area, fan_out = out_features * kernel area.
//   kaiming (He et al. 2015): std = gain / sqrt(fan), gain = sqrt(2 / (1 + a^2))
//   xavier (Glorot & Bengio 2010): std = gain * sqrt(2 / (fan_in + fan_out))
// Uniform variants use the bound sqrt(3) * std.
#include "advgrad/core/generator.h"
#include "advgrad/core/tensor.h"

namespace advgrad::nn::init {

enum class FanMode { FanIn, FanOut };

struct Fans {
  double fan_in, fan_out;
};
Fans compute_fans(const Tensor& weight);  // [out, in, ...] layout

void uniform_(Tensor& t, double lo, double hi, Generator& gen);
void normal_(Tensor& t, double mean, double stddev, Generator& gen);
void zeros_(Tensor& t);
void ones_(Tensor& t);
void kaiming_uniform_(Tensor& t, Generator& gen, double a = 0.0, FanMode mode = FanMode::FanIn);
void kaiming_normal_(Tensor& t, Generator& gen, double a = 0.0, FanMode mode = FanMode::FanIn);
void xavier_uniform_(Tensor& t, Generator& gen, double gain = 1.0);
void xavier_normal_(Tensor& t, Generator& gen, double gain = 1.0);

}  // namespace advgrad::nn::init
