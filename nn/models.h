#pragma once
// The model zoo, by name. Every model takes the input shape (C, H, W), the class
// count and the activation name, and is built from an explicit seed, so a
// config fully determines the initial weights. The config is what model files
// record, so a saved model can be rebuilt by name.
//
//   mlp        flatten, 256, 128, classes
//   small-cnn  conv3x3 32, act, maxpool2, conv3x3 64, act, maxpool2, 128, classes
//              (the canonical SmallCNN of shared/BENCHMARKS.md)
//   small-cnn-bn small-cnn with BN after both convs and the 128 linear (no biases there)
//   lenet5     conv5x5 6 (pad 2), act, maxpool2, conv5x5 16, act, maxpool2, 120, 84, classes
//   cnn-bn     2x(conv3x3 32, BN), pool, 2x(conv3x3 64, BN), pool, 128 + BN + dropout 0.5, classes
//   resnet-20  CIFAR ResNet of He et al. (2016): 3 stages x 3 basic blocks, 16/32/64 channels
//   resnet-18, resnet-50  the ImageNet ResNets of nn/resnet_imagenet.h, torchvision's
//              names (take 3-channel [0, 1] pixels: the ImageNet mean/std is inside). The
//              config's activation applies (relu for torchvision's weights).
//   mobilenet-v2  the ImageNet MobileNetV2 of nn/mobilenet_v2.h, torchvision's names
//              and [0, 1] pixels as the ResNets. Always ReLU6.
//   efficientnet-lite0  the ImageNet network of nn/efficientnet.h (takes [0, 1]
//              pixels; its names are the pretrained checkpoint's: nn/pretrained.h).
//              Always ReLU6: the config's activation does not apply to it.
//   efficientnet-b0  EfficientNet-B0 (squeeze-and-excitation, SiLU; nn/efficientnet.h),
//              [0, 1] pixels normalised inside with torchvision's mean and std; 3 channels.
//              Always SiLU.
//   efficientnet-b0-small  B0 scaled for 28-px grey images on a CPU (nn::efficientnet_b0_small):
//              width and depth 0.5 under EfficientNet's rounding rule, total stride 8, no
//              input normalisation, any channel count; no dropout or drop connect.
//   efficientnet-b0-small-noisy  the same network with Noisy Student's student noise:
//              dropout 0.5 and stochastic depth up to 0.2 (same parameters, same names).
//
// dual_batch_norm swaps each BatchNorm of the models of dual_batch_norm_models() for a
// DualBatchNorm (AdvProp); the weights of every other layer are the same as without it.
#include <string>
#include <vector>

#include "advgrad/nn/module.h"

namespace advgrad::nn {

struct ModelConfig {
  std::string arch = "small-cnn";
  std::int64_t channels = 1, height = 28, width = 28;
  std::int64_t classes = 10;
  std::string activation = "relu";
  std::uint64_t seed = 0;
  // Optional per-channel input normalisation inside the model (pixel-space inputs).
  std::vector<double> normalize_mean, normalize_std;
  // AdvProp: every BatchNorm becomes a DualBatchNorm (main + auxiliary BN,
  // nn/dual_batch_norm.h). Honoured by the models with BN (has_batch_norm).
  bool dual_batch_norm = false;
};

ModulePtr build_model(const ModelConfig& config);
const std::vector<std::string>& model_names();
// The models dual_batch_norm applies to: small-cnn-bn, cnn-bn, resnet-20 and the EfficientNets.
const std::vector<std::string>& dual_batch_norm_models();
std::string dual_batch_norm_model_list();  // the same, comma-separated (for messages)
// Whether `arch` has BatchNorm layers that dual_batch_norm can split (one of dual_batch_norm_models()).
bool has_batch_norm(const std::string& arch);
// The model with BatchNorm closest to `arch`: itself if it has BN, small-cnn-bn
// for small-cnn, cnn-bn otherwise (what AdvProp trains for a budget's arch).
std::string with_batch_norm(const std::string& arch);

}  // namespace advgrad::nn
