#include "advgrad/nn/mobilenet_v2.h"

#include "advgrad/core/ops/ops.h"
#include "advgrad/nn/activation.h"
#include "advgrad/nn/batch_norm.h"
#include "advgrad/nn/dropout.h"
#include "advgrad/nn/init.h"
#include "advgrad/nn/linear.h"
#include "advgrad/nn/scale_shift.h"
#include "advgrad/nn/torchvision_conv.h"

namespace advgrad::nn {
namespace {

constexpr std::int64_t kStemChannels = 32, kHeadChannels = 1280;
constexpr double kDropout = 0.2;

// One stage: `repeats` blocks with expansion t, the first with the stage's stride.
struct Stage {
  std::int64_t expand, out, repeats, stride;
};
// Sandler et al. 2018, table 2 (t, c, n, s), at width 1.0.
constexpr Stage kStages[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                             {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

// torchvision's Conv2dNormActivation: conv (.0), BN (.1), relu6 (.2, no tensors).
std::shared_ptr<Sequential> conv_bn_relu6(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride,
                                          Generator& gen, std::int64_t groups = 1) {
  auto s = std::make_shared<Sequential>();
  s->add(torchvision_conv(in, out, kernel, stride, gen, groups)).add(std::make_shared<BatchNorm>(out, 2));
  s->add(std::make_shared<Activation>("relu6"));
  return s;
}

// The network's top level, named as torchvision names it.
class MobileNetV2 : public Module {
 public:
  MobileNetV2(std::int64_t channels, std::int64_t classes, Generator& gen)
      : input_(register_module("input", torchvision_imagenet_input())),
        features_(register_module("features", std::make_shared<Sequential>())),
        classifier_(register_module("classifier", std::make_shared<Sequential>())) {
    ADVGRAD_CHECK(channels == 3, "MobileNetV2: torchvision's input normalisation is per RGB channel, so it takes 3 ",
                  "input channels, got ", channels);
    features_->add(conv_bn_relu6(channels, kStemChannels, 3, 2, gen));
    std::int64_t in = kStemChannels;
    for (const Stage& s : kStages) {
      for (std::int64_t i = 0; i < s.repeats; ++i) {
        features_->add(std::make_shared<InvertedResidual>(in, s.out, i == 0 ? s.stride : 1, s.expand, gen));
        in = s.out;
      }
    }
    features_->add(conv_bn_relu6(in, kHeadChannels, 1, 1, gen));
    auto fc = std::make_shared<Linear>(kHeadChannels, classes, gen);
    init::normal_(fc->weight, 0.0, 0.01, gen);  // torchvision's classifier init
    init::zeros_(fc->bias);
    classifier_->add(std::make_shared<Dropout>(kDropout, gen.next_u32())).add(fc);
  }

  Tensor forward(const Tensor& x) override { return (*classifier_)(global_avg_pool2d((*features_)((*input_)(x)))); }
  std::string type_name() const override { return "MobileNetV2"; }

 private:
  std::shared_ptr<ScaleShift> input_;
  std::shared_ptr<Sequential> features_, classifier_;
};

}  // namespace

InvertedResidual::InvertedResidual(std::int64_t in, std::int64_t out, std::int64_t stride, std::int64_t expand,
                                   Generator& gen)
    : in_(in),
      out_(out),
      stride_(stride),
      expand_(expand),
      conv_(register_module("conv", std::make_shared<Sequential>())) {
  const std::int64_t hidden = in * expand;
  if (expand != 1) conv_->add(conv_bn_relu6(in, hidden, 1, 1, gen));
  conv_->add(conv_bn_relu6(hidden, hidden, 3, stride, gen, hidden));
  conv_->add(torchvision_conv(hidden, out, 1, 1, gen)).add(std::make_shared<BatchNorm>(out, 2));
}

Tensor InvertedResidual::forward(const Tensor& x) {
  Tensor h = (*conv_)(x);
  return stride_ == 1 && in_ == out_ ? h + x : h;
}

std::string InvertedResidual::extra_repr() const {
  return std::to_string(in_) + " -> " + std::to_string(out_) + ", stride=" + std::to_string(stride_) +
         ", expand=" + std::to_string(expand_);
}

ModulePtr mobilenet_v2(std::int64_t channels, std::int64_t classes, Generator& gen) {
  return std::make_shared<MobileNetV2>(channels, classes, gen);
}

}  // namespace advgrad::nn
