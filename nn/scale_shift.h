#pragma once
// ScaleShift: y = x * scale + shift, the same two numbers for every element,
// and no saved state. It puts a network's input normalisation inside the
// model, so the model takes pixels in [0, 1] and attacks measure eps there.
//
// EfficientNet-Lite (TensorFlow's reference preprocessing) feeds the network
// (p - 127) / 128 for 8-bit pixels p = 255 x:
//     (255 x - 127) / 128 = x * (255 / 128) + (-127 / 128)
// = efficientnet_lite_input(). A gradient with respect to x is the gradient
// with respect to the network input times 255 / 128.
//
// Unlike nn::Normalize (per-channel mean and std kept as buffers), it adds no
// tensors to the state dict, so a checkpoint trained without it loads as is.
#include "advgrad/nn/module.h"

namespace advgrad::nn {

class ScaleShift : public Module {
 public:
  ScaleShift(double scale, double shift);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "ScaleShift"; }
  std::string extra_repr() const override;
  double scale() const { return scale_; }
  double shift() const { return shift_; }

 private:
  double scale_, shift_;
};

// (255 x - 127) / 128: [0, 1] pixels -> EfficientNet-Lite's input range [-127/128, 1].
std::shared_ptr<ScaleShift> efficientnet_lite_input();

}  // namespace advgrad::nn
