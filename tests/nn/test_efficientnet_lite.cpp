// EfficientNet-Lite0 built from scratch (random init): TensorFlow "SAME"
// padding, the checkpoint's parameter names and shapes, a training step, a
// save/load round trip, load_pretrained's errors, and BatchNorm's eps with a
// running variance of exactly 0 (the real weights have 130 such channels).
// The pretrained network on real photos: test_pretrained_lite0.cpp.
#include <cmath>

#include "expect_error.h"
#include "testing.h"

namespace advgrad::nn {
namespace {

ModelConfig lite0(std::int64_t size, std::int64_t classes) {
  ModelConfig c;
  c.arch = "efficientnet-lite0";
  c.channels = 3;
  c.height = c.width = size;
  c.classes = classes;
  c.seed = 7;
  return c;
}

TEST(EfficientNetLite, SamePaddingPutsTheExtraRowAfter) {
  // 224 at stride 2, k 3: out 112, total (112 - 1) * 2 + 3 - 224 = 1 -> (0, 1).
  EXPECT_EQ(same_padding(224, 3, 2).before, 0);
  EXPECT_EQ(same_padding(224, 3, 2).after, 1);
  // k 5 at stride 2 on 28: total 3 -> (1, 2); stride 1 is symmetric (k - 1) / 2.
  EXPECT_EQ(same_padding(28, 5, 2).before, 1);
  EXPECT_EQ(same_padding(28, 5, 2).after, 2);
  EXPECT_EQ(same_padding(17, 5, 1).before, 2);
  EXPECT_EQ(same_padding(17, 5, 1).after, 2);
  // An odd size at stride 2 needs no extra: 7 -> 4 outputs, total (4 - 1) * 2 + 3 - 7 = 2.
  EXPECT_EQ(same_padding(7, 3, 2).before, 1);
  EXPECT_EQ(same_padding(7, 3, 2).after, 1);
}

TEST(EfficientNetLite, NamesAndShapesAreTheCheckpoints) {
  ModulePtr m = build_model(lite0(32, 1000));
  const StateDict sd = m->state_dict();
  // 296 tensors in the .pth less the 49 num_batches_tracked counters.
  EXPECT_EQ(sd.size(), 247u);
  EXPECT_EQ(sd.at("_conv_stem.weight").shape(), (Shape{32, 3, 3, 3}));
  EXPECT_EQ(sd.at("_bn0.running_var").shape(), (Shape{32}));
  EXPECT_FALSE(sd.count("_blocks.0._expand_conv.weight"));  // expansion 1
  EXPECT_EQ(sd.at("_blocks.0._depthwise_conv.weight").shape(), (Shape{32, 1, 3, 3}));
  EXPECT_EQ(sd.at("_blocks.1._expand_conv.weight").shape(), (Shape{96, 16, 1, 1}));
  EXPECT_EQ(sd.at("_blocks.3._depthwise_conv.weight").shape(), (Shape{144, 1, 5, 5}));
  EXPECT_EQ(sd.at("_blocks.15._project_conv.weight").shape(), (Shape{320, 1152, 1, 1}));
  EXPECT_EQ(sd.at("_conv_head.weight").shape(), (Shape{1280, 320, 1, 1}));
  EXPECT_EQ(sd.at("_fc.weight").shape(), (Shape{1000, 1280}));
  EXPECT_FALSE(sd.count("_blocks.16._bn2.weight"));
  EXPECT_EQ(m->num_parameters(), 4652008);  // EfficientNet-Lite0's published 4.65M
}

TEST(EfficientNetLite, TrainsAStepAndRoundTrips) {
  const ModelConfig c = lite0(32, 10);
  ModulePtr m = build_model(c);
  Tensor x = testing::random_tensor({2, 3, 32, 32}, 3, DType::Float32, 0, 1);
  Tensor labels = from_vector(std::vector<std::int64_t>{1, 7}, {2});
  Sgd sgd(m->parameters(), {.lr = 0.05});
  const Tensor before = m->state_dict().at("_blocks.4._depthwise_conv.weight").clone();
  Tensor loss = cross_entropy((*m)(x), labels);
  loss.backward();
  sgd.step();
  EXPECT_TRUE(std::isfinite(loss.item()));
  EXPECT_FALSE(testing::all_close(m->state_dict().at("_blocks.4._depthwise_conv.weight"), before, 0, 0));
  const std::string path = testing::temp_dir("lite0_io") / "lite0.safetensors";
  save_model(path, *m, c);
  LoadedModel loaded = load_model(path);
  m->eval();
  loaded.model->eval();
  EXPECT_EQ((*m)(x).to_double_vector(), (*loaded.model)(x).to_double_vector());
}

TEST(EfficientNetLite, DropConnectGrowsWithDepthAndOnlyInTraining) {
  const std::vector<MBConvSpec> blocks = efficientnet_blocks(EfficientNetVariant::Lite0);
  ASSERT_EQ(blocks.size(), 16u);
  EXPECT_EQ(blocks[0].drop_connect, 0.0);
  EXPECT_DOUBLE_EQ(blocks[8].drop_connect, 0.1);
  EXPECT_DOUBLE_EQ(blocks[15].drop_connect, 0.2 * 15 / 16);
  // One residual block (stride 1, 24 -> 24) at p 0.5: deterministic in eval.
  Generator gen(3);
  MBConvBlock block({.in = 24, .out = 24, .kernel = 3, .stride = 1, .expand = 6, .drop_connect = 0.5}, gen);
  const Tensor x = testing::random_tensor({16, 24, 5, 5}, 8, DType::Float64);
  block.to(DType::Float64);
  block.eval();
  EXPECT_GT(amax(abs((block)(x) - x)).item(), 0);
  EXPECT_EQ((block)(x).to_double_vector(), (block)(x).to_double_vector());
  // In training, one example at a time: a dropped branch leaves exactly x.
  block.train();
  NoGradGuard no_grad;
  int dropped = 0;
  for (std::int64_t n = 0; n < 16; ++n) {
    const Tensor xn = x.narrow(0, n, 1);
    if (amax(abs((block)(xn) - xn)).item() == 0) ++dropped;
  }
  EXPECT_GT(dropped, 0) << "p 0.5 over 16 examples";
  EXPECT_LT(dropped, 16);
}

TEST(EfficientNetLite, LoadPretrainedNamesTheFirstMismatch) {
  ModulePtr m = build_model(lite0(32, 10));
  StateDict sd = m->state_dict();
  sd["_bn0.num_batches_tracked"] = scalar_tensor(3, {.dtype = DType::Int64});  // PyTorch's counter: dropped
  load_pretrained(*m, sd, "counters");
  StateDict missing = sd;
  missing.erase("_blocks.2._bn1.bias");
  testing::expect_error([&] { load_pretrained(*m, missing, "m.pth"); }, {"m.pth", "'_blocks.2._bn1.bias'", "needs"});
  StateDict extra = sd;
  extra["_blocks.16._bn2.weight"] = ones({4});
  testing::expect_error([&] { load_pretrained(*m, extra, "e.pth"); }, {"e.pth", "'_blocks.16._bn2.weight'"});
  StateDict wrong = sd;
  wrong["_fc.weight"] = zeros({1000, 1280});
  testing::expect_error([&] { load_pretrained(*m, wrong, "w.pth"); }, {"'_fc.weight'", "[1000, 1280]", "[10, 1280]"});
  testing::expect_error([&] { load_pretrained(*m, "/nonexistent/lite0.pth"); }, {"fetch-pretrained.sh"});
}

// Eval-mode BatchNorm divides by sqrt(running_var + eps): with a variance of
// exactly 0 the channel is (x - mean) / sqrt(eps) * weight + bias, finite.
TEST(EfficientNetLite, BatchNormEpsWithZeroRunningVariance) {
  BatchNorm bn(2, 2, 0.01, 1e-3);
  {
    NoGradGuard no_grad;
    bn.running_var.copy_(from_vector(std::vector<float>{0.0f, 4.0f}, {2}));
    bn.running_mean.copy_(from_vector(std::vector<float>{1.0f, 0.0f}, {2}));
  }
  bn.eval();
  Tensor y = bn(full({1, 2, 1, 1}, 2.0));
  const std::vector<double> v = y.to_double_vector();
  EXPECT_NEAR(v[0], 1.0 / std::sqrt(1e-3), 1e-3);
  EXPECT_NEAR(v[1], 2.0 / std::sqrt(4.0 + 1e-3), 1e-6);
}

}  // namespace
}  // namespace advgrad::nn
