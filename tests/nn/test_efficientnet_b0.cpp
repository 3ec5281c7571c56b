// EfficientNet-B0 built from scratch (random init): the names and shapes of
// the efficientnet_pytorch checkpoints (squeeze-and-excitation included), the
// paper's parameter count, squeeze-and-excitation against its formula, a
// float64 gradient check of one SE block with respect to its input, and a
// training step. Logits against the efficientnet_pytorch module with the same
// weights: ImageNetZooTorchParity (bench/torch_imagenet_zoo.py).
#include <cmath>

#include "expect_error.h"
#include "testing.h"

namespace advgrad::nn {
namespace {

ModelConfig b0(std::int64_t size, std::int64_t classes) {
  ModelConfig c = imagenet_config("efficientnet-b0");
  c.height = c.width = size;
  c.classes = classes;
  c.seed = 11;
  return c;
}

TEST(EfficientNetB0, NamesShapesAndParameterCount) {
  ModulePtr m = build_model(b0(32, 1000));
  const StateDict sd = m->state_dict();
  // Lite0's 247 tensors plus four per block for SE (two 1x1 convs with bias).
  EXPECT_EQ(sd.size(), 247u + 16 * 4);
  // Block 0: 32 channels in, expansion 1, squeezed to 32 * 0.25 = 8.
  EXPECT_EQ(sd.at("_blocks.0._se_reduce.weight").shape(), (Shape{8, 32, 1, 1}));
  EXPECT_EQ(sd.at("_blocks.0._se_reduce.bias").shape(), (Shape{8}));
  EXPECT_EQ(sd.at("_blocks.0._se_expand.weight").shape(), (Shape{32, 8, 1, 1}));
  // Block 1: 16 in, 96 expanded, squeezed by the input width to 4, not 24.
  EXPECT_EQ(sd.at("_blocks.1._se_reduce.weight").shape(), (Shape{4, 96, 1, 1}));
  EXPECT_EQ(sd.at("_blocks.15._se_expand.bias").shape(), (Shape{1152}));
  EXPECT_EQ(sd.at("_conv_head.weight").shape(), (Shape{1280, 320, 1, 1}));
  EXPECT_EQ(m->num_parameters(), 5288548);  // EfficientNet-B0's published 5.3M (efficientnet_pytorch counts the same)
  const std::vector<MBConvSpec> blocks = efficientnet_blocks(EfficientNetVariant::B0);
  for (const MBConvSpec& b : blocks) {
    EXPECT_EQ(b.se_ratio, 0.25);
    EXPECT_EQ(b.activation, "silu");
  }
  EXPECT_DOUBLE_EQ(blocks[15].drop_connect, 0.2 * 15 / 16);
  ModelConfig grey = b0(32, 10);
  grey.channels = 1;
  testing::expect_error([&] { build_model(grey); }, {"efficientnet-b0", "3 channels", "got 1"});
}

// One SE block in eval (BN on running statistics): its output is the plain
// MBConv path with every channel of the depthwise output scaled by
// sigmoid(se_expand(silu(se_reduce(mean_hw)))); and dL/dx passes a float64
// finite-difference check on a non-contiguous input.
TEST(EfficientNetB0, SqueezeExcitationMatchesItsFormulaAndGradcheck) {
  Generator gen(4);
  MBConvBlock block({.in = 8, .out = 8, .kernel = 3, .stride = 1, .expand = 3, .se_ratio = 0.25,
                     .activation = "silu"},
                    gen);
  block.to(DType::Float64);
  block.eval();
  const StateDict p = block.state_dict();
  const Tensor x = testing::random_tensor({2, 5, 5, 8}, 21, DType::Float64).permute({0, 3, 1, 2});  // non-contiguous
  NoGradGuard no_grad;
  const auto bn = [&](const Tensor& h, const std::string& name) {
    const Shape c{1, -1, 1, 1};
    return (h - p.at(name + ".running_mean").reshape(c)) / sqrt(p.at(name + ".running_var").reshape(c) + 1e-3) *
               p.at(name + ".weight").reshape(c) +
           p.at(name + ".bias").reshape(c);
  };
  Conv2dOptions dw;
  dw.pad_h = dw.pad_w = 1;
  dw.groups = 24;
  Tensor h = silu(bn(conv2d(x, p.at("_expand_conv.weight"), Tensor(), {}), "_bn0"));
  h = silu(bn(conv2d(h, p.at("_depthwise_conv.weight"), Tensor(), dw), "_bn1"));
  const Tensor s = conv2d(silu(conv2d(mean(h, {2, 3}, true), p.at("_se_reduce.weight"), p.at("_se_reduce.bias"), {})),
                          p.at("_se_expand.weight"), p.at("_se_expand.bias"), {});
  const Tensor want = bn(conv2d(h * sigmoid(s), p.at("_project_conv.weight"), Tensor(), {}), "_bn2") + x;
  EXPECT_TRUE(testing::all_close(block(x), want, 1e-12, 1e-12));
  EXPECT_EQ(p.at("_se_reduce.weight").shape(), (Shape{2, 24, 1, 1}));
}

TEST(EfficientNetB0, InputGradientPassesFiniteDifferences) {
  Generator gen(5);
  auto block = std::make_shared<MBConvBlock>(
      MBConvSpec{.in = 4, .out = 4, .kernel = 3, .stride = 1, .expand = 2, .se_ratio = 0.5,
                 .activation = "silu"},
      gen);
  block->to(DType::Float64);
  block->eval();
  const Tensor x = testing::random_tensor({2, 4, 4, 3}, 22, DType::Float64).transpose(2, 3);
  EXPECT_TRUE(testing::gradcheck([&](const std::vector<Tensor>& in) { return (*block)(in[0]); },
                                 {x.detach().requires_grad_(true)}));
}

// A small step (lr 1e-3): at 32 px the last stages are 1x1, where training-mode
// BatchNorm over a batch of 2 gives gradients in the thousands.
TEST(EfficientNetB0, TrainsAStepAndRoundTrips) {
  const ModelConfig c = b0(32, 10);
  ModulePtr m = build_model(c);
  Tensor x = testing::random_tensor({2, 3, 32, 32}, 3, DType::Float32, 0, 1);
  Tensor labels = from_vector(std::vector<std::int64_t>{1, 7}, {2});
  Sgd sgd(m->parameters(), {.lr = 1e-3});
  const Tensor before = m->state_dict().at("_blocks.4._se_reduce.weight").clone();
  Tensor loss = cross_entropy((*m)(x), labels);
  loss.backward();
  sgd.step();
  EXPECT_TRUE(std::isfinite(loss.item()));
  EXPECT_FALSE(testing::all_close(m->state_dict().at("_blocks.4._se_reduce.weight"), before, 0, 0));
  const std::string path = testing::temp_dir("b0_io") / "b0.safetensors";
  save_model(path, *m, c);
  LoadedModel loaded = load_model(path);
  m->eval();
  loaded.model->eval();
  const std::vector<double> logits = (*m)(x).to_double_vector();
  for (double v : logits) ASSERT_TRUE(std::isfinite(v));
  EXPECT_EQ(logits, (*loaded.model)(x).to_double_vector());
}

}  // namespace
}  // namespace advgrad::nn
