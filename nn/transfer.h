#pragma once
// Transfer learning from an ImageNet network of the zoo (the slides' two
// approaches): its pretrained weights with a fresh N-class classifier, then
// either a frozen feature extractor that trains the new head only, or fine-
// tuning of all layers or of the last K MBConv blocks (with a smaller rate
// for the pretrained part: nn::trainable_groups, nn/freeze.h).
//
//   --freeze backbone   train _fc only (the 1280 pooled features are fixed)
//   --freeze none       train everything
//   --freeze blocks:K   train the last K of the 16 MBConv blocks, _conv_head,
//                       _bn1 and _fc (K in 0..16)
#include <cstdint>
#include <string>
#include <vector>

#include "advgrad/nn/models.h"
#include "advgrad/nn/module.h"

namespace advgrad::nn {

struct FreezeSpec {
  std::string mode = "none";  // backbone, none, blocks
  std::int64_t blocks = 0;    // for mode "blocks"
  std::string to_string() const;
};
// "backbone", "none" or "blocks:K"; anything else is an error naming the accepted forms.
FreezeSpec parse_freeze(const std::string& text);

// The architectures transfer learning supports (efficientnet-lite0, efficientnet-b0).
bool supports_transfer(const std::string& arch);

// The model of `config` (its classes, channels 3, any height and width) with every tensor but the
// classifier copied from the pretrained weights in `weights_path` (the 1000-class ImageNet
// checkpoint of config.arch); the classifier _fc is the fresh one built from config.seed.
ModulePtr pretrained_with_new_head(const ModelConfig& config, const std::string& weights_path);
// The network of `config` (3-channel input) with every tensor but the
// classifier `_fc` copied from the ImageNet model `pretrained_arch` read from
// `weights_path`; `_fc` keeps config's fresh initialisation. Throws
// advgrad::Error naming `who` when the file lacks a tensor the network needs.
// (pretrained_with_new_head and pretrained_lite0_taps both build on it.)
ModulePtr with_pretrained_backbone(const ModelConfig& config, const std::string& pretrained_arch,
                                   const std::string& weights_path, const char* who);

// The state-dict name prefixes that train under `spec` besides the head "_fc.".
std::vector<std::string> trainable_prefixes(const FreezeSpec& spec);
// `model` (an EfficientNet of the zoo) wrapped in a PartlyFrozen (nn/freeze.h) per `spec`.
ModulePtr freeze(ModulePtr model, const FreezeSpec& spec);

}  // namespace advgrad::nn
