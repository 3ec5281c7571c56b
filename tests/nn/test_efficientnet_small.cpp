// EfficientNet scaled down (nn::EfficientNetScaling): the reference
// implementation's rounding rule against hand-computed channel counts and the
// published B2/B3 widths, and efficientnet-b0-small's blocks, state-dict
// shapes, strides (through the output of odd input sizes) and noise. The
// pretrained B0 and Lite0 at w = d = 1 keep their tests (EfficientNetB0.*,
// EfficientNetLite.*, PretrainedLite0.*, ImageNetZoo*).
#include "advgrad/core/ops/ops.h"
#include "advgrad/nn/efficientnet.h"
#include "advgrad/nn/models.h"
#include "expect_error.h"
#include "testing.h"

namespace advgrad::nn {
namespace {

TEST(EfficientNetScaling, RoundsChannelsToMultiplesOfEightNeverBelowNinetyPercent) {
  // w = 0.5, by hand: max(8, floor((c w + 4) / 8) * 8), + 8 when below 0.9 c w.
  EXPECT_EQ(round_filters(32, 0.5), 16);
  EXPECT_EQ(round_filters(16, 0.5), 8);
  EXPECT_EQ(round_filters(24, 0.5), 16);   // 12 -> floor(16 / 8) * 8 = 16
  EXPECT_EQ(round_filters(40, 0.5), 24);   // 20 -> floor(24 / 8) * 8 = 24
  EXPECT_EQ(round_filters(112, 0.5), 56);  // 56 -> floor(60 / 8) * 8 = 56
  EXPECT_EQ(round_filters(1280, 0.5), 640);
  EXPECT_EQ(round_filters(16, 0.25), 8) << "never below the divisor";
  // 11.9 rounds down to 8 < 0.9 * 11.9 = 10.71, so it goes up to 16.
  EXPECT_EQ(round_filters(119, 0.1), 16);
  EXPECT_EQ(round_filters(13, 0.7), 16);  // 9.1 -> 8, and 8 < 0.9 * 9.1 = 8.19
  EXPECT_EQ(round_filters(14, 0.7), 16);  // 9.8 -> floor(13.8 / 8) * 8 = 8 < 8.82
  EXPECT_EQ(round_filters(11, 0.7), 8);   // 7.7 -> floor(11.7 / 8) * 8 = 8
  // Width 1 leaves B0's channels alone; B2 (w 1.1) and B3 (w 1.2) as published.
  for (std::int64_t c : {16, 24, 32, 40, 80, 112, 192, 320, 1280}) EXPECT_EQ(round_filters(c, 1.0), c);
  struct Published {
    std::int64_t channels;
    double width;
    std::int64_t rounded;
  };
  for (const Published& p : {Published{32, 1.1, 32}, {320, 1.1, 352}, {1280, 1.1, 1408}, {32, 1.2, 40},
                             {112, 1.2, 136}, {192, 1.2, 232}, {1280, 1.2, 1536}})
    EXPECT_EQ(round_filters(p.channels, p.width), p.rounded) << p.channels << " at width " << p.width;
  // Repeats: ceil(d r).
  EXPECT_EQ(round_repeats(1, 0.5), 1);
  EXPECT_EQ(round_repeats(3, 0.5), 2);
  EXPECT_EQ(round_repeats(4, 0.5), 2);
  EXPECT_EQ(round_repeats(2, 1.1), 3);
  EXPECT_EQ(round_repeats(4, 1.0), 4);
  testing::expect_error([] { round_filters(32, 0.0); }, {"round_filters", "width"});
  testing::expect_error([] { round_repeats(2, -1.0); }, {"round_repeats", "depth"});
}

TEST(EfficientNetScaling, B0SmallBlocks) {
  const std::vector<MBConvSpec> blocks = efficientnet_blocks(EfficientNetVariant::B0, efficientnet_b0_small(false));
  // Repeats ceil(0.5 * (1, 2, 2, 3, 3, 4, 1)) = 1, 1, 1, 2, 2, 2, 1; stem 16 channels.
  const std::vector<std::int64_t> in{16, 8, 16, 24, 40, 40, 56, 56, 96, 96}, out{8, 16, 24, 40, 40, 56, 56, 96, 96, 160},
      kernel{3, 3, 5, 3, 3, 5, 5, 5, 5, 3}, stride{1, 2, 2, 2, 1, 1, 1, 1, 1, 1}, expand{1, 6, 6, 6, 6, 6, 6, 6, 6, 6};
  ASSERT_EQ(blocks.size(), 10u);
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    EXPECT_EQ(blocks[b].in, in[b]) << b;
    EXPECT_EQ(blocks[b].out, out[b]) << b;
    EXPECT_EQ(blocks[b].kernel, kernel[b]) << b;
    EXPECT_EQ(blocks[b].stride, stride[b]) << b;
    EXPECT_EQ(blocks[b].expand, expand[b]) << b;
    EXPECT_EQ(blocks[b].drop_connect, 0.0) << b;
    EXPECT_EQ(blocks[b].bn_momentum, 0.1) << b;
    EXPECT_EQ(blocks[b].activation, "silu");
  }
  const std::vector<MBConvSpec> noisy = efficientnet_blocks(EfficientNetVariant::B0, efficientnet_b0_small(true));
  EXPECT_DOUBLE_EQ(noisy[9].drop_connect, 0.2 * 9 / 10);
  EXPECT_DOUBLE_EQ(noisy[0].drop_connect, 0.0);
  // The pretrained network's table is untouched by the default scaling.
  const std::vector<MBConvSpec> b0 = efficientnet_blocks(EfficientNetVariant::B0);
  ASSERT_EQ(b0.size(), 16u);
  EXPECT_EQ(b0[15].out, 320);
  EXPECT_EQ(b0[1].stride, 2);
  EXPECT_EQ(b0[11].stride, 2);
  EXPECT_EQ(b0[0].bn_momentum, 0.01);
  EfficientNetScaling bad;
  bad.stage_strides = {1, 2};
  testing::expect_error([&] { efficientnet_blocks(EfficientNetVariant::B0, bad); }, {"efficientnet_blocks", "7"});
}

ModelConfig small_config(const std::string& arch, std::int64_t h, std::int64_t w) {
  ModelConfig c;
  c.arch = arch;
  c.height = h;
  c.width = w;
  c.seed = 3;
  return c;
}

TEST(EfficientNetScaling, B0SmallShapesAndNames) {
  ModulePtr m = build_model(small_config("efficientnet-b0-small", 28, 28));
  const StateDict sd = m->state_dict();
  EXPECT_EQ(sd.at("_conv_stem.weight").shape(), (Shape{16, 1, 3, 3})) << "one grey channel in";
  EXPECT_EQ(sd.at("_bn0.running_mean").shape(), (Shape{16}));
  EXPECT_EQ(sd.at("_blocks.0._depthwise_conv.weight").shape(), (Shape{16, 1, 3, 3}));
  EXPECT_EQ(sd.count("_blocks.0._expand_conv.weight"), 0u) << "expansion 1";
  EXPECT_EQ(sd.at("_blocks.0._se_reduce.weight").shape(), (Shape{4, 16, 1, 1}));  // 16 * 0.25
  EXPECT_EQ(sd.at("_blocks.0._project_conv.weight").shape(), (Shape{8, 16, 1, 1}));
  EXPECT_EQ(sd.at("_blocks.1._expand_conv.weight").shape(), (Shape{48, 8, 1, 1}));
  EXPECT_EQ(sd.at("_blocks.1._se_reduce.weight").shape(), (Shape{2, 48, 1, 1}));  // 8 * 0.25
  EXPECT_EQ(sd.at("_blocks.2._depthwise_conv.weight").shape(), (Shape{96, 1, 5, 5}));
  EXPECT_EQ(sd.at("_blocks.9._project_conv.weight").shape(), (Shape{160, 576, 1, 1}));
  EXPECT_EQ(sd.count("_blocks.10._bn2.weight"), 0u) << "ten blocks";
  EXPECT_EQ(sd.at("_conv_head.weight").shape(), (Shape{640, 160, 1, 1}));
  EXPECT_EQ(sd.at("_fc.weight").shape(), (Shape{10, 640}));
  // efficientnet_pytorch 0.7.1's EfficientNet.from_name("efficientnet-b0", width_coefficient=0.5,
  // depth_coefficient=0.5, in_channels=1, num_classes=10) has the same ten blocks and this many
  // parameters (strides do not change the count).
  EXPECT_EQ(m->num_parameters(), 663242);
  // The noisy variant: the same tensors, so one model file serves both.
  const StateDict noisy = build_model(small_config("efficientnet-b0-small-noisy", 28, 28))->state_dict();
  ASSERT_EQ(noisy.size(), sd.size());
  for (const auto& [name, t] : sd) EXPECT_EQ(noisy.at(name).shape(), t.shape()) << name;
  // Any size: 28 and 32 (the issue's), and odd ones (SAME padding at every stride).
  for (const auto& [h, w] : std::vector<std::pair<std::int64_t, std::int64_t>>{{28, 28}, {32, 32}, {17, 9}, {5, 7}}) {
    ModulePtr net = build_model(small_config("efficientnet-b0-small", h, w));
    net->eval();
    const Tensor y = (*net)(testing::random_tensor({3, 1, h, w}, 40 + h, DType::Float32));
    EXPECT_EQ(y.shape(), (Shape{3, 10})) << h << "x" << w;
  }
  // Any channel count, unlike the pretrained B0 (3, normalised per RGB channel).
  ModelConfig rgb = small_config("efficientnet-b0-small", 28, 28);
  rgb.channels = 3;
  EXPECT_EQ(build_model(rgb)->state_dict().at("_conv_stem.weight").shape(), (Shape{16, 3, 3, 3}));
  testing::expect_error([] { build_model(small_config("efficientnet-b7", 28, 28)); },
                        {"unknown architecture 'efficientnet-b7'", "efficientnet-b0-small-noisy"});
}

// The plain network is deterministic in training mode (no dropout, no drop
// connect); the noisy one draws new masks on every pass; both agree in eval.
TEST(EfficientNetScaling, OnlyTheNoisyVariantIsNoisy) {
  const Tensor x = testing::random_tensor({4, 1, 11, 11}, 77, DType::Float32);
  ModulePtr plain = build_model(small_config("efficientnet-b0-small", 11, 11));
  ModulePtr noisy = build_model(small_config("efficientnet-b0-small-noisy", 11, 11));
  plain->train();
  noisy->train();
  EXPECT_EQ((*plain)(x).to_double_vector(), (*plain)(x).to_double_vector());
  EXPECT_NE((*noisy)(x).to_double_vector(), (*noisy)(x).to_double_vector());
  noisy->eval();
  EXPECT_EQ((*noisy)(x).to_double_vector(), (*noisy)(x).to_double_vector());
}

}  // namespace
}  // namespace advgrad::nn
