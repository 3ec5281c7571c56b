#pragma once
// The convolution torchvision's ImageNet networks are built from (ResNet,
// MobileNetV2): no bias (a BatchNorm follows and its shift replaces it),
// PyTorch's symmetric zero padding (k - 1) / 2 on every side — not
// TensorFlow's "SAME" of nn/efficientnet.h — and He et al.'s (2015)
// fan-out normal init, std = sqrt(2 / (out_channels * k * k)) (groups or not), which
// is torchvision's kaiming_normal_(mode="fan_out", nonlinearity="relu").
#include <cstdint>
#include <memory>

#include "advgrad/core/generator.h"
#include "advgrad/nn/conv2d.h"

namespace advgrad::nn {

std::shared_ptr<Conv2d> torchvision_conv(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel,
                                         std::int64_t stride, Generator& gen, std::int64_t groups = 1);

}  // namespace advgrad::nn
