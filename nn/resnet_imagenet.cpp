#include "advgrad/nn/resnet_imagenet.h"

#include "advgrad/core/ops/ops.h"
#include "advgrad/nn/containers.h"
#include "advgrad/nn/linear.h"
#include "advgrad/nn/scale_shift.h"
#include "advgrad/nn/torchvision_conv.h"

namespace advgrad::nn {
namespace {

constexpr std::int64_t kStemChannels = 64;
constexpr std::int64_t kPlanes[] = {64, 128, 256, 512};

// The network's top level, named as torchvision names it.
class ResNetImageNet : public Module {
 public:
  ResNetImageNet(ResNetBlock::Kind kind, const std::vector<int>& depths, std::int64_t channels, std::int64_t classes,
                 const std::string& activation, Generator& gen)
      : input_(register_module("input", torchvision_imagenet_input())),
        conv1_(register_module("conv1", torchvision_conv(channels, kStemChannels, 7, 2, gen))),
        bn1_(register_module("bn1", std::make_shared<BatchNorm>(kStemChannels, 2))),
        act_(std::make_shared<Activation>(activation)) {
    ADVGRAD_CHECK(channels == 3, "ResNet (ImageNet): torchvision's input normalisation is per RGB channel, so it ",
                  "takes 3 input channels, got ", channels);
    std::int64_t in = kStemChannels;
    for (std::size_t stage = 0; stage < 4; ++stage) {
      auto layer = std::make_shared<Sequential>();
      for (int block = 0; block < depths.at(stage); ++block) {
        const std::int64_t stride = stage > 0 && block == 0 ? 2 : 1;
        layer->add(std::make_shared<ResNetBlock>(kind, in, kPlanes[stage], stride, activation, gen));
        in = kPlanes[stage] * ResNetBlock::expansion(kind);
      }
      layers_.push_back(register_module("layer" + std::to_string(stage + 1), layer));
    }
    fc_ = register_module("fc", std::make_shared<Linear>(in, classes, gen));
  }

  Tensor forward(const Tensor& x) override {
    Tensor h = (*act_)((*bn1_)((*conv1_)((*input_)(x))));
    h = max_pool2d(h, {.kernel_h = 3, .kernel_w = 3, .stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1});
    for (auto& layer : layers_) h = (*layer)(h);
    return (*fc_)(global_avg_pool2d(h));
  }
  std::string type_name() const override { return "ResNet"; }

 private:
  std::shared_ptr<ScaleShift> input_;
  std::shared_ptr<Conv2d> conv1_;
  std::shared_ptr<BatchNorm> bn1_;
  std::shared_ptr<Activation> act_;
  std::vector<std::shared_ptr<Sequential>> layers_;
  std::shared_ptr<Linear> fc_;
};

}  // namespace

ResNetBlock::ResNetBlock(Kind kind, std::int64_t in, std::int64_t planes, std::int64_t stride,
                         const std::string& activation, Generator& gen)
    : kind_(kind),
      in_(in),
      out_(planes * expansion(kind)),
      stride_(stride),
      act_(std::make_shared<Activation>(activation)) {
  // (in, out, kernel, stride) of each conv, in torchvision's order.
  struct ConvSpec {
    std::int64_t in, out, kernel, stride;
  };
  const std::vector<ConvSpec> specs =
      kind == Kind::Basic
          ? std::vector<ConvSpec>{{in, planes, 3, stride}, {planes, planes, 3, 1}}
          : std::vector<ConvSpec>{{in, planes, 1, 1}, {planes, planes, 3, stride}, {planes, out_, 1, 1}};
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const ConvSpec& s = specs[i];
    const std::string n = std::to_string(i + 1);
    convs_.push_back(register_module("conv" + n, torchvision_conv(s.in, s.out, s.kernel, s.stride, gen)));
    bns_.push_back(register_module("bn" + n, std::make_shared<BatchNorm>(s.out, 2)));
  }
  if (stride != 1 || in != out_) {
    auto d = std::make_shared<Sequential>();
    d->add(torchvision_conv(in, out_, 1, stride, gen)).add(std::make_shared<BatchNorm>(out_, 2));
    downsample_ = register_module("downsample", d);
  }
}

Tensor ResNetBlock::forward(const Tensor& x) {
  Tensor h = x;
  for (std::size_t i = 0; i < convs_.size(); ++i) {
    h = (*bns_[i])((*convs_[i])(h));
    if (i + 1 < convs_.size()) h = (*act_)(h);
  }
  return (*act_)(h + (downsample_ ? (*downsample_)(x) : x));
}

std::string ResNetBlock::extra_repr() const {
  return std::to_string(in_) + " -> " + std::to_string(out_) + ", stride=" + std::to_string(stride_);
}

ModulePtr resnet18(std::int64_t channels, std::int64_t classes, const std::string& activation, Generator& gen) {
  return std::make_shared<ResNetImageNet>(ResNetBlock::Kind::Basic, std::vector<int>{2, 2, 2, 2}, channels, classes,
                                          activation, gen);
}

ModulePtr resnet50(std::int64_t channels, std::int64_t classes, const std::string& activation, Generator& gen) {
  return std::make_shared<ResNetImageNet>(ResNetBlock::Kind::Bottleneck, std::vector<int>{3, 4, 6, 3}, channels,
                                          classes, activation, gen);
}

}  // namespace advgrad::nn
