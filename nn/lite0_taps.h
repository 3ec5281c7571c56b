#pragma once
// EfficientNet-Lite0 read at several depths: the transfer experiment's frozen
// feature extractor (docs/transfer-learning.md). ImageNet's last features
// (the 1280 pooled channels of the head conv that the classifier reads) are
// the most ImageNet-specific; for small grey clothing images the outputs of
// earlier stages transfer better. This network is Lite0's stem and its 16
// MBConv blocks, unchanged, with the outputs of blocks 7, 10 and 15 (the ends
// of stages 4, 5 and 7: 80, 112 and 320 channels at strides 16, 16 and 32)
// each global-average-pooled and concatenated into 512 features, then a
// linear classifier `_fc` 512 -> classes. The head conv and its BN are not
// used. Tensor names are Lite0's (`_conv_stem.*`, `_bn0.*`, `_blocks.K.*`,
// `_fc.*`), so the pretrained weights load by name.
//
// As "efficientnet-lite0-taps" it is built by nn::build_model (for model
// files) but not offered by `advgrad train --model` (model_names()): it is
// meant for a frozen backbone with a head trained on cached features.
#include <cstdint>
#include <string>
#include <vector>

#include "advgrad/nn/models.h"
#include "advgrad/nn/module.h"

namespace advgrad::nn {

// The blocks whose pooled outputs are the features, and their channels.
const std::vector<std::int64_t>& lite0_tap_blocks();  // {7, 10, 15}
std::int64_t lite0_tap_features();                    // 80 + 112 + 320 = 512

ModulePtr lite0_taps(std::int64_t channels, std::int64_t classes, Generator& gen);

// The network of `config` (arch "efficientnet-lite0-taps", 3 channels) with
// the pretrained Lite0 weights of `weights_path` in everything but `_fc`,
// which keeps its seeded initialisation.
ModulePtr pretrained_lite0_taps(const ModelConfig& config, const std::string& weights_path);

}  // namespace advgrad::nn
