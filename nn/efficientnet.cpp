#include "advgrad/nn/efficientnet.h"

#include <algorithm>
#include <cmath>

#include "advgrad/core/ops/ops.h"
#include "advgrad/nn/containers.h"
#include "advgrad/nn/dropout.h"
#include "advgrad/nn/dual_batch_norm.h"
#include "advgrad/nn/linear.h"
#include "advgrad/nn/scale_shift.h"

namespace advgrad::nn {
namespace {

constexpr double kBnEps = 1e-3;
constexpr std::int64_t kStemChannels = 32, kHeadChannels = 1280;  // at width 1
constexpr double kSeRatio = 0.25;     // B0's squeeze-and-excitation ratio
constexpr std::int64_t kChannelDivisor = 8;  // round_filters' divisor

// A BatchNorm2d with eps 1e-3 and `momentum`, or its dual (AdvProp).
ModulePtr bn(std::int64_t channels, double momentum, bool dual) {
  if (dual) return std::make_shared<DualBatchNorm>(channels, 2, momentum, kBnEps);
  return std::make_shared<BatchNorm>(channels, 2, momentum, kBnEps);
}

Conv2dOptions unpadded(std::int64_t stride, std::int64_t groups) {
  Conv2dOptions o;
  o.stride_h = o.stride_w = stride;
  o.groups = groups;
  return o;
}

// One stage of the network: `repeats` blocks, the first with the stage's stride.
struct Stage {
  std::int64_t repeats, stride, kernel, out, expand;
};
// EfficientNet-B0's stages (Tan and Le 2019, table 1) at width and depth 1.0,
// which Lite0 keeps.
constexpr Stage kB0Stages[] = {{1, 1, 3, 16, 1},  {2, 2, 3, 24, 6},  {2, 2, 5, 40, 6}, {3, 2, 3, 80, 6},
                                  {3, 1, 5, 112, 6}, {4, 2, 5, 192, 6}, {1, 1, 3, 320, 6}};

// The network's top level, named as the checkpoints name it.
class EfficientNet : public Module {
 public:
  EfficientNet(EfficientNetVariant variant, std::int64_t channels, std::int64_t classes, Generator& gen,
               const EfficientNetScaling& s)
      : variant_(variant), act_(variant == EfficientNetVariant::B0 ? "silu" : "relu6") {
    // Registered in the checkpoints' order: _input (no tensors), _conv_stem, _bn0, _blocks, _conv_head, _bn1, _fc.
    if (s.imagenet_input)
      input_ = register_module("_input", variant == EfficientNetVariant::B0 ? torchvision_imagenet_input()
                                                                            : efficientnet_lite_input());
    const std::int64_t stem = round_filters(kStemChannels, s.width), head = round_filters(kHeadChannels, s.width);
    conv_stem_ = register_module("_conv_stem", std::make_shared<Conv2dSame>(channels, stem, 3, s.stem_stride, 1, gen));
    bn0_ = register_module("_bn0", bn(stem, s.bn_momentum, s.dual_batch_norm));
    blocks_ = register_module("_blocks", std::make_shared<Sequential>());
    std::int64_t last = stem;
    for (const MBConvSpec& spec : efficientnet_blocks(variant, s)) {
      blocks_->add(std::make_shared<MBConvBlock>(spec, gen));
      last = spec.out;
    }
    conv_head_ = register_module("_conv_head", std::make_shared<Conv2dSame>(last, head, 1, 1, 1, gen));
    bn1_ = register_module("_bn1", bn(head, s.bn_momentum, s.dual_batch_norm));
    dropout_ = register_module("_dropout", std::make_shared<Dropout>(s.dropout, gen.next_u32()));
    fc_ = register_module("_fc", std::make_shared<Linear>(head, classes, gen));
  }

  Tensor forward(const Tensor& x) override {
    Tensor h = act_((*bn0_)((*conv_stem_)(input_ ? (*input_)(x) : x)));
    h = (*blocks_)(h);
    h = act_((*bn1_)((*conv_head_)(h)));
    return (*fc_)((*dropout_)(global_avg_pool2d(h)));
  }
  std::string type_name() const override {
    return variant_ == EfficientNetVariant::B0 ? "EfficientNetB0" : "EfficientNetLite0";
  }

 private:
  EfficientNetVariant variant_;
  Activation act_;  // no tensors: not registered
  std::shared_ptr<ScaleShift> input_;  // null without imagenet_input
  std::shared_ptr<Conv2dSame> conv_stem_;
  ModulePtr bn0_;
  std::shared_ptr<Sequential> blocks_;
  std::shared_ptr<Conv2dSame> conv_head_;
  ModulePtr bn1_;
  std::shared_ptr<Dropout> dropout_;
  std::shared_ptr<Linear> fc_;
};

}  // namespace

SamePadding same_padding(std::int64_t n, std::int64_t kernel, std::int64_t stride) {
  const std::int64_t out = (n + stride - 1) / stride;
  const std::int64_t total = std::max<std::int64_t>((out - 1) * stride + kernel - n, 0);
  return {total / 2, total - total / 2};
}

Conv2dSame::Conv2dSame(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel_size,
                       std::int64_t stride, std::int64_t groups, Generator& gen)
    : Conv2d(in_channels, out_channels, kernel_size, gen, unpadded(stride, groups), false),
      kernel_size_(kernel_size),
      stride_(stride) {}

Tensor Conv2dSame::forward(const Tensor& x) {
  ADVGRAD_CHECK(x.dim() == 4, "Conv2dSame: expected [N, C, H, W], got ", shape_str(x.shape()));
  const SamePadding h = same_padding(x.size(2), kernel_size_, stride_),
                    w = same_padding(x.size(3), kernel_size_, stride_);
  if (h.before == h.after && w.before == w.after) {
    // Symmetric (every stride-1 layer, and 1x1 convs): the conv pads by itself, no copy.
    Conv2dOptions o = options();
    o.pad_h = h.before, o.pad_w = w.before;
    return conv2d(x, weight, bias, o);
  }
  return Conv2d::forward(pad2d(x, {.left = w.before, .right = w.after, .top = h.before, .bottom = h.after}));
}

MBConvBlock::MBConvBlock(const MBConvSpec& spec, Generator& gen)
    : spec_(spec), drop_gen_(gen.next_u32()), act_(spec.activation) {
  ADVGRAD_CHECK(spec.drop_connect >= 0 && spec.drop_connect < 1, "MBConvBlock: drop_connect must be in [0, 1), got ",
                spec.drop_connect);
  ADVGRAD_CHECK(spec.se_ratio >= 0 && spec.se_ratio <= 1, "MBConvBlock: se_ratio must be in [0, 1], got ",
                spec.se_ratio);
  const std::int64_t hidden = spec.in * spec.expand;
  if (spec.expand != 1) {
    expand_conv_ = register_module("_expand_conv", std::make_shared<Conv2dSame>(spec.in, hidden, 1, 1, 1, gen));
    bn0_ = register_module("_bn0", bn(hidden, spec.bn_momentum, spec.dual_batch_norm));
  }
  depthwise_conv_ = register_module(
      "_depthwise_conv", std::make_shared<Conv2dSame>(hidden, hidden, spec.kernel, spec.stride, hidden, gen));
  bn1_ = register_module("_bn1", bn(hidden, spec.bn_momentum, spec.dual_batch_norm));
  if (spec.se_ratio > 0) {
    // The squeezed width counts the block's input channels, not the expanded ones.
    const auto squeezed = std::max<std::int64_t>(1, static_cast<std::int64_t>(static_cast<double>(spec.in) * spec.se_ratio));
    se_reduce_ = register_module("_se_reduce", std::make_shared<Conv2d>(hidden, squeezed, 1, gen));
    se_expand_ = register_module("_se_expand", std::make_shared<Conv2d>(squeezed, hidden, 1, gen));
  }
  project_conv_ = register_module("_project_conv", std::make_shared<Conv2dSame>(hidden, spec.out, 1, 1, 1, gen));
  bn2_ = register_module("_bn2", bn(spec.out, spec.bn_momentum, spec.dual_batch_norm));
}

// x * sigmoid(se_expand(act(se_reduce(mean_hw(x))))): each channel gated by
// what the whole image says about it.
Tensor MBConvBlock::squeeze_excite(const Tensor& x) {
  const Tensor s = (*se_expand_)(act_((*se_reduce_)(mean(x, {2, 3}, true))));
  return x * sigmoid(s);
}

Tensor MBConvBlock::forward(const Tensor& x) {
  Tensor h = expand_conv_ ? act_((*bn0_)((*expand_conv_)(x))) : x;
  h = act_((*bn1_)((*depthwise_conv_)(h)));
  if (se_reduce_) h = squeeze_excite(h);
  h = (*bn2_)((*project_conv_)(h));
  if (spec_.stride != 1 || spec_.in != spec_.out) return h;
  return drop_path(h, spec_.drop_connect, is_training(), drop_gen_) + x;
}

std::string MBConvBlock::extra_repr() const {
  return std::to_string(spec_.in) + " -> " + std::to_string(spec_.out) + ", kernel=" + std::to_string(spec_.kernel) +
         ", stride=" + std::to_string(spec_.stride) + ", expand=" + std::to_string(spec_.expand) +
         (spec_.se_ratio > 0 ? ", se_ratio=" + std::to_string(spec_.se_ratio) : "") +
         ", " + spec_.activation + (spec_.drop_connect > 0 ? ", drop_connect=" + std::to_string(spec_.drop_connect) : "");
}

std::int64_t round_filters(std::int64_t channels, double width) {
  ADVGRAD_CHECK(width > 0 && std::isfinite(width), "round_filters: width must be > 0, got ", width);
  const double scaled = static_cast<double>(channels) * width;
  const auto d = kChannelDivisor;
  std::int64_t rounded = std::max(d, static_cast<std::int64_t>(scaled + static_cast<double>(d) / 2) / d * d);
  if (static_cast<double>(rounded) < 0.9 * scaled) rounded += d;  // never more than 10% below w c
  return rounded;
}

std::int64_t round_repeats(std::int64_t repeats, double depth) {
  ADVGRAD_CHECK(depth > 0 && std::isfinite(depth), "round_repeats: depth must be > 0, got ", depth);
  return static_cast<std::int64_t>(std::ceil(depth * static_cast<double>(repeats)));
}

EfficientNetScaling efficientnet_b0_small(bool noisy) {
  EfficientNetScaling s;
  s.width = s.depth = 0.5;
  s.stem_stride = 1;
  s.stage_strides = {1, 2, 2, 2, 1, 1, 1};
  s.dropout = noisy ? 0.5 : 0.0;
  s.drop_connect = noisy ? 0.2 : 0.0;
  s.bn_momentum = 0.1;
  s.imagenet_input = false;
  return s;
}

std::vector<MBConvSpec> efficientnet_blocks(EfficientNetVariant variant, const EfficientNetScaling& scaling) {
  constexpr std::size_t kStages = std::size(kB0Stages);
  const bool own_strides = !scaling.stage_strides.empty();
  ADVGRAD_CHECK(!own_strides || scaling.stage_strides.size() == kStages, "efficientnet_blocks: stage_strides needs ",
                kStages, " strides (or none: the table's), got ", scaling.stage_strides.size());
  for (std::int64_t stride : scaling.stage_strides)
    ADVGRAD_CHECK(stride >= 1, "efficientnet_blocks: strides must be >= 1, got ", stride);
  ADVGRAD_CHECK(scaling.drop_connect >= 0 && scaling.drop_connect < 1,
                "efficientnet_blocks: drop_connect must be in [0, 1), got ", scaling.drop_connect);
  const bool b0 = variant == EfficientNetVariant::B0;
  std::vector<MBConvSpec> blocks;
  std::int64_t in = round_filters(kStemChannels, scaling.width);
  for (std::size_t stage = 0; stage < kStages; ++stage) {
    const Stage& s = kB0Stages[stage];
    const std::int64_t out = round_filters(s.out, scaling.width);
    for (std::int64_t i = 0; i < round_repeats(s.repeats, scaling.depth); ++i) {
      blocks.push_back({.in = in,
                        .out = out,
                        .kernel = s.kernel,
                        .stride = i == 0 ? (own_strides ? scaling.stage_strides[stage] : s.stride) : 1,
                        .expand = s.expand,
                        .se_ratio = b0 ? kSeRatio : 0.0,
                        .activation = b0 ? "silu" : "relu6",
                        .bn_momentum = scaling.bn_momentum,
                        .dual_batch_norm = scaling.dual_batch_norm});
      in = out;
    }
  }
  // Drop connect grows linearly with depth: 0.2 b / 16 for block b at w = d = 1.
  for (std::size_t b = 0; b < blocks.size(); ++b)
    blocks[b].drop_connect = scaling.drop_connect * static_cast<double>(b) / static_cast<double>(blocks.size());
  return blocks;
}

ModulePtr efficientnet(EfficientNetVariant variant, std::int64_t channels, std::int64_t classes, Generator& gen,
                       const EfficientNetScaling& scaling) {
  ADVGRAD_CHECK(variant != EfficientNetVariant::B0 || !scaling.imagenet_input || channels == 3,
                "efficientnet-b0: its input normalisation is per RGB channel, so it takes 3 channels, got ", channels);
  ADVGRAD_CHECK(scaling.stem_stride >= 1, "efficientnet: stem_stride must be >= 1, got ", scaling.stem_stride);
  return std::make_shared<EfficientNet>(variant, channels, classes, gen, scaling);
}

}  // namespace advgrad::nn
