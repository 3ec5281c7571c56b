#pragma once
// The EfficientNet family (Tan and Le 2019, "EfficientNet: Rethinking Model
// Scaling for Convolutional Neural Networks"), at width and depth 1.0, built
// so that real checkpoints load by name (the names of the PyTorch port
// efficientnet_pytorch, which the Lite0 file uses too; docs/pretrained.md):
//
//   efficientnet-b0     the paper's B0: MBConv blocks with squeeze-and-
//                       excitation (ratio 0.25) and SiLU ("swish"); input
//                       normalised per channel with torchvision's ImageNet
//                       mean and std, as that port's models expect.
//   efficientnet-lite0  TensorFlow's efficientnet/lite (2020): B0 without
//                       squeeze-and-excitation, ReLU6 instead of SiLU (both
//                       quantise well), input (255 x - 127) / 128.
//
//   input [N, 3, H, W] in [0, 1] -> ScaleShift (the variant's normalisation)
//   _conv_stem 3x3 stride 2 -> 32, _bn0, act
//   _blocks.0 .. _blocks.15: MBConv, 7 stages (table in efficientnet.cpp)
//   _conv_head 1x1 -> 1280, _bn1, act
//   global average pool, dropout 0.2 (training only), _fc 1280 -> classes
//
// Every conv but SE's is bias-free and followed by BatchNorm (eps 1e-3,
// momentum 0.01: TensorFlow's batch_norm_momentum 0.99 keeps 99% of the
// running statistic, which is PyTorch's momentum 0.01). Convolutions use
// TensorFlow's "SAME" padding (Conv2dSame), which is asymmetric at stride 2.
//
// Training from scratch has the original's regularisers: dropout 0.2 before
// _fc and drop connect (stochastic depth, drop_path) on the residual
// branches, at rate 0.2 * b / 16 for block b (0-based), as in the reference
// implementations. Eval, which is what the pretrained weights are for, has
// neither.
//
// Smaller members of the family (EfficientNetScaling): Tan and Le's compound
// scaling multiplies every stage's channels by a width coefficient w and its
// repeats by a depth coefficient d (section 3.3, eq. 3). The reference
// implementation (tensorflow/tpu, models/official/efficientnet/
// efficientnet_model.py: round_filters, round_repeats; efficientnet_pytorch
// follows it) rounds the results:
//   channels(c) = max(8, floor((c w + 4) / 8) * 8), plus 8 if that is below 0.9 c w
//   repeats(r)  = ceil(d r)
// `efficientnet-b0-small` (nn/models.h) is B0 at w = d = 0.5 for 28-px grey
// images: efficientnet_b0_small() below.
#include <cstdint>
#include <string>
#include <vector>

#include "advgrad/core/generator.h"
#include "advgrad/nn/activation.h"
#include "advgrad/nn/batch_norm.h"
#include "advgrad/nn/conv2d.h"
#include "advgrad/nn/module.h"

namespace advgrad::nn {

// TensorFlow "SAME" padding of one axis of size n for kernel k and stride s:
// the output has ceil(n / s) samples, which needs
//   total = max((ceil(n / s) - 1) s + k - n, 0)
// padded samples; total / 2 go before (top / left), the rest (one more when
// total is odd) after (bottom / right). PyTorch's symmetric padding would put
// the extra one before, so stride-2 layers would see the image shifted.
struct SamePadding {
  std::int64_t before = 0, after = 0;
};
SamePadding same_padding(std::int64_t n, std::int64_t kernel, std::int64_t stride);

// A Conv2d that pads its input with zeros as "SAME" does, for the input size
// it is given: where the padding is symmetric, the conv's own padding; where
// it is not (stride 2), pad2d and then the unpadded conv.
class Conv2dSame : public Conv2d {
 public:
  Conv2dSame(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel_size, std::int64_t stride,
             std::int64_t groups, Generator& gen);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Conv2dSame"; }

 private:
  std::int64_t kernel_size_, stride_;
};

// One MBConv block (MobileNetV2's inverted residual, with optional SE):
//   [_expand_conv 1x1 -> h = in*expand, _bn0, act]  (absent when expand == 1)
//   _depthwise_conv kxk stride s (groups = h), _bn1, act
//   [squeeze-and-excitation (Hu et al. 2018), when se_ratio > 0:
//      s = mean over H, W                            [N, h, 1, 1]
//      s = _se_expand(act(_se_reduce(s)))            1x1 convs with bias,
//                                                    h -> max(1, in*se_ratio) -> h
//      x = x * sigmoid(s)                            channel gates in (0, 1)]
//   _project_conv 1x1 -> out, _bn2                  (linear: no activation)
//   + x when stride 1 and in == out, the branch under drop_path in training
struct MBConvSpec {
  std::int64_t in = 0, out = 0, kernel = 3, stride = 1, expand = 1;
  double se_ratio = 0;      // 0: no squeeze-and-excitation (Lite)
  std::string activation = "relu6";  // a name of nn::Activation: Lite's relu6, B0's silu
  double drop_connect = 0;  // drop_path's p on the residual branch (training only)
  double bn_momentum = 0.01;     // every BN of the block (TensorFlow's 0.99, as PyTorch counts it)
  bool dual_batch_norm = false;  // AdvProp: DualBatchNorm (main + auxiliary) for every BN
};

class MBConvBlock : public Module {
 public:
  MBConvBlock(const MBConvSpec& spec, Generator& gen);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "MBConvBlock"; }
  std::string extra_repr() const override;

 private:
  Tensor squeeze_excite(const Tensor& x);

  MBConvSpec spec_;
  Generator drop_gen_;  // drop connect's draws, seeded from the constructor's generator
  Activation act_;      // no tensors: not registered
  std::shared_ptr<Conv2dSame> expand_conv_, depthwise_conv_, project_conv_;
  ModulePtr bn0_, bn1_, bn2_;  // BatchNorm, or DualBatchNorm when spec.dual_batch_norm
  std::shared_ptr<Conv2d> se_reduce_, se_expand_;  // when spec.se_ratio > 0
};

// The two variants.
enum class EfficientNetVariant { B0, Lite0 };

// How a network of the family is scaled and regularised. The defaults are
// the pretrained networks (w = d = 1, 224-px ImageNet strides).
struct EfficientNetScaling {
  double width = 1.0, depth = 1.0;  // Tan and Le's w and d (rounded as above)
  std::int64_t stem_stride = 2;
  std::vector<std::int64_t> stage_strides;  // each stage's first block; empty: B0's 1, 2, 2, 2, 1, 2, 1
  double dropout = 0.2;        // before _fc, training only
  double drop_connect = 0.2;   // the last block's drop_path rate; block b gets drop_connect * b / blocks
  double bn_momentum = 0.01;   // every BatchNorm's (PyTorch's convention)
  bool imagenet_input = true;  // the variant's ImageNet normalisation inside (B0: 3 channels); false: none
  bool dual_batch_norm = false;  // AdvProp: every BatchNorm a DualBatchNorm (nn/dual_batch_norm.h)
};

// The rounding rule above: channels c of the w = 1 network at width w
// (divisor 8), and repeats r at depth d. Throw advgrad::Error for w or d <= 0.
std::int64_t round_filters(std::int64_t channels, double width);
std::int64_t round_repeats(std::int64_t repeats, double depth);

// EfficientNet-B0 for Fashion-MNIST (28 x 28, grey) on a CPU: w = d = 0.5
// (channels 16 | 8, 16, 24, 40, 56, 96, 160 | 640 and repeats 1, 1, 1, 2, 2,
// 2, 1: ten blocks), the stem at stride 1 and stage 6 at stride 1, so the
// total stride is 8 instead of 32 (28 -> 28 -> 14 -> 7 -> 4; at stride 32 a
// 28-px image would be 1 x 1 after stage 6), BN momentum 0.1 (a few hundred
// steps would leave TensorFlow's 0.01 running statistics near their
// initial values), no input normalisation ([0, 1] pixels, any channel count).
//   plain (noisy = false): no dropout, no drop connect.
//   noisy: Noisy Student's student noise (Xie et al. 2020, section 3.1):
//          dropout 0.5 before _fc and stochastic depth growing linearly with
//          depth towards drop rate 0.2 (survival 0.8), the paper's final-layer
//          rates, under the same 0.2 b / blocks rule as B0's drop connect.
EfficientNetScaling efficientnet_b0_small(bool noisy);

// The blocks of the variant in order (the first takes the stem's channels),
// with its activation, SE ratio and drop-connect rates; 16 at w = d = 1.
std::vector<MBConvSpec> efficientnet_blocks(EfficientNetVariant variant, const EfficientNetScaling& scaling = {});

// The whole network; `channels` input channels (3 for the pretrained ones:
// the input normalisation is per RGB channel for B0), `classes` outputs
// (1000). At the default scaling, any input size that survives five stride-2
// layers.
ModulePtr efficientnet(EfficientNetVariant variant, std::int64_t channels, std::int64_t classes, Generator& gen,
                       const EfficientNetScaling& scaling = {});

}  // namespace advgrad::nn
