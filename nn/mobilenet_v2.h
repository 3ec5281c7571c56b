#pragma once
// MobileNetV2 (Sandler et al. 2018, "MobileNetV2: Inverted Residuals and
// Linear Bottlenecks") at width 1.0, as torchvision.models.mobilenet_v2 builds
// it, with torchvision's parameter names, so a torchvision state dict loads as
// is (nn::load_pretrained).
//
//   input [N, 3, H, W] in [0, 1] -> ScaleShift (x - mean) / std, torchvision's
//                                   ImageNet statistics (no state-dict tensors)
//   features.0: conv 3x3 stride 2 -> 32 (features.0.0), BN (.1), relu6
//   features.1 .. features.17: inverted residual blocks, 7 stages (table in
//     mobilenet_v2.cpp)
//   features.18: conv 1x1 -> 1280 (.0), BN (.1), relu6
//   global average pool, dropout 0.2 (training only), classifier.1 1280 -> classes
//                                                            3,504,872 parameters
//
// Inverted residual block (torchvision's InvertedResidual), its layers in a
// Sequential named `conv`:
//   [conv.0: 1x1 -> in * t (.0), BN (.1), relu6]   (absent when t == 1)
//   conv.k:   3x3 depthwise, stride s (.0), BN (.1), relu6
//   conv.k+1: 1x1 -> out (linear bottleneck: no activation), conv.k+2: BN
//   + x when s == 1 and in == out
//
// Every conv is bias-free with PyTorch's symmetric padding (torchvision_conv),
// not TensorFlow's "SAME" of EfficientNet-Lite (whose MBConv block is the same
// idea with the checkpoint's other names: nn/efficientnet.h). BatchNorm:
// eps 1e-5, momentum 0.1. Always ReLU6: a config's activation does not apply.
#include <cstdint>

#include "advgrad/core/generator.h"
#include "advgrad/nn/containers.h"
#include "advgrad/nn/module.h"

namespace advgrad::nn {

class InvertedResidual : public Module {
 public:
  InvertedResidual(std::int64_t in, std::int64_t out, std::int64_t stride, std::int64_t expand, Generator& gen);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "InvertedResidual"; }
  std::string extra_repr() const override;

 private:
  std::int64_t in_, out_, stride_, expand_;
  std::shared_ptr<Sequential> conv_;
};

// The whole network; `channels` input channels (3, RGB: an error otherwise),
// `classes` outputs (1000). Any input size works: the average pool adapts.
ModulePtr mobilenet_v2(std::int64_t channels, std::int64_t classes, Generator& gen);

}  // namespace advgrad::nn
