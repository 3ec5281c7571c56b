#pragma once
// ScaleShift: y = x * scale + shift, either the same two numbers for every
// element or one pair per channel (dim 1 of [N, C, ...]), and no saved state.
// It puts a network's input normalisation inside the model, so the model
// takes pixels in [0, 1] and attacks measure eps there.
//
// EfficientNet-Lite (TensorFlow's reference preprocessing) feeds the network
// (p - 127) / 128 for 8-bit pixels p = 255 x:
//     (255 x - 127) / 128 = x * (255 / 128) + (-127 / 128)
// = efficientnet_lite_input(). A gradient with respect to x is the gradient
// with respect to the network input times 255 / 128.
//
// torchvision's ImageNet networks (ResNet, MobileNetV2) are trained on
// (x - mean_c) / std_c with mean (0.485, 0.456, 0.406) and std (0.229, 0.224,
// 0.225) per RGB channel c:
//     (x - mean_c) / std_c = x * (1 / std_c) + (-mean_c / std_c)
// = torchvision_imagenet_input(); the gradient flows back times 1 / std_c.
//
// Unlike nn::Normalize (per-channel mean and std kept as buffers), it adds no
// tensors to the state dict, so a checkpoint trained without it loads as is.
#include <vector>

#include "advgrad/nn/module.h"

namespace advgrad::nn {

class ScaleShift : public Module {
 public:
  ScaleShift(double scale, double shift);
  // One value each (every element), or C values each (per channel of [N, C, ...]).
  ScaleShift(std::vector<double> scale, std::vector<double> shift);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "ScaleShift"; }
  std::string extra_repr() const override;
  const std::vector<double>& scale() const { return scale_; }
  const std::vector<double>& shift() const { return shift_; }

 private:
  std::vector<double> scale_, shift_;
  Tensor scale_tensor_, shift_tensor_;  // per channel: scale_ and shift_ shaped for the last input
};

// (255 x - 127) / 128: [0, 1] pixels -> EfficientNet-Lite's input range [-127/128, 1].
std::shared_ptr<ScaleShift> efficientnet_lite_input();

// (x - mean) / std per RGB channel with torchvision's ImageNet mean and std.
std::shared_ptr<ScaleShift> torchvision_imagenet_input();

}  // namespace advgrad::nn
