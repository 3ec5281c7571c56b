#pragma once
// The ImageNet ResNets of He et al. (2016), "Deep Residual Learning for Image
// Recognition", as torchvision.models.resnet18 / resnet50 build them ("v1.5":
// a bottleneck block strides in its 3x3 conv, not its first 1x1), with
// torchvision's parameter names, so a torchvision state dict loads as is
// (nn::load_pretrained).
//
//   input [N, 3, H, W] in [0, 1] -> ScaleShift (x - mean) / std, torchvision's
//                                   ImageNet statistics (no state-dict tensors)
//   conv1 7x7 stride 2 pad 3 -> 64, bn1, act, max pool 3x3 stride 2 pad 1
//   layer1 .. layer4: blocks of 64, 128, 256, 512 planes; the first block of
//     layer2..4 has stride 2; its shortcut is downsample.0 (1x1 conv, stride)
//     + downsample.1 (BN) wherever the shape changes, else the identity
//   global average pool, fc 512 * expansion -> classes
//
//   resnet-18: BasicBlock  x [2, 2, 2, 2]: conv1 3x3 (stride), bn1, act,
//              conv2 3x3, bn2; expansion 1                   11,689,512 parameters
//   resnet-50: Bottleneck x [3, 4, 6, 3]: conv1 1x1, bn1, act, conv2 3x3
//              (stride), bn2, act, conv3 1x1 -> 4 x planes, bn3; expansion 4
//                                                             25,557,032 parameters
//   each block: act(block(x) + shortcut(x))
//
// Every conv is bias-free (torchvision_conv: symmetric padding, He fan-out
// init). BatchNorm: eps 1e-5, momentum 0.1, PyTorch's defaults; torchvision's
// num_batches_tracked counters are dropped on load (nn/pretrained.h).
// The activation is the config's (relu for the torchvision weights; smooth
// adversarial training swaps it, Xie et al. 2020 did so on ResNet-50).
// Any input size works: the average pool adapts.
//
// The CIFAR resnet-20 of nn/models.cpp shares the idea of the basic block but
// not its code: its state-dict names (body.N, shortcut.N) are those its saved
// model files already hold.
#include <cstdint>
#include <string>
#include <vector>

#include "advgrad/core/generator.h"
#include "advgrad/nn/activation.h"
#include "advgrad/nn/batch_norm.h"
#include "advgrad/nn/conv2d.h"
#include "advgrad/nn/module.h"

namespace advgrad::nn {

// One residual block, basic (2 convs) or bottleneck (3 convs): a chain of
// conv{i} / bn{i} pairs with the activation between them, then the shortcut.
class ResNetBlock : public Module {
 public:
  enum class Kind { Basic, Bottleneck };
  static std::int64_t expansion(Kind kind) { return kind == Kind::Basic ? 1 : 4; }

  ResNetBlock(Kind kind, std::int64_t in, std::int64_t planes, std::int64_t stride, const std::string& activation,
              Generator& gen);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return kind_ == Kind::Basic ? "BasicBlock" : "Bottleneck"; }
  std::string extra_repr() const override;

 private:
  Kind kind_;
  std::int64_t in_, out_, stride_;
  std::shared_ptr<Activation> act_;  // no tensors: not registered, as in torchvision
  std::vector<std::shared_ptr<Conv2d>> convs_;
  std::vector<std::shared_ptr<BatchNorm>> bns_;
  ModulePtr downsample_;  // null: the identity
};

// The whole network; `channels` input channels (3, RGB: an error otherwise),
// `classes` outputs (1000), `activation` a name nn::Activation knows.
ModulePtr resnet18(std::int64_t channels, std::int64_t classes, const std::string& activation, Generator& gen);
ModulePtr resnet50(std::int64_t channels, std::int64_t classes, const std::string& activation, Generator& gen);

}  // namespace advgrad::nn
