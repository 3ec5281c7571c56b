// The torchvision-named ImageNet ResNets (nn/resnet_imagenet.h) from scratch:
// logits and dLoss/dImage, torchvision's parameter counts and state-dict
// names, a torchvision-style .pth round trip and load_pretrained's errors.
// Logits against torchvision's: test_imagenet_zoo_torch_parity.cpp.
#include "nn/imagenet_zoo_testing.h"

namespace advgrad::nn {
namespace {

// torchvision's names for a ResNet with `depths` blocks per stage, of 2
// convs (basic) or 3 (bottleneck): the rules of resnet_imagenet.h written out.
std::set<std::string> torchvision_resnet_names(const std::vector<int>& depths, int convs_per_block) {
  std::set<std::string> names{"conv1.weight", "fc.weight", "fc.bias"};
  testing::add_batch_norm(names, "bn1");
  for (int stage = 0; stage < 4; ++stage) {
    for (int block = 0; block < depths[stage]; ++block) {
      const std::string p = "layer" + std::to_string(stage + 1) + "." + std::to_string(block) + ".";
      for (int i = 1; i <= convs_per_block; ++i) {
        names.insert(p + "conv" + std::to_string(i) + ".weight");
        testing::add_batch_norm(names, p + "bn" + std::to_string(i));
      }
      // The first block changes the shape, except layer1's basic blocks (64 -> 64, stride 1).
      if (block == 0 && (stage > 0 || convs_per_block == 3)) {
        names.insert(p + "downsample.0.weight");
        testing::add_batch_norm(names, p + "downsample.1");
      }
    }
  }
  return names;
}

TEST(ResNetImageNet, Resnet18GivesLogitsAndAFiniteInputGradient) {
  ModulePtr m = build_model(testing::zoo_config("resnet-18"));
  testing::expect_logits_and_input_gradient(*m, 64, 1000);
}

TEST(ResNetImageNet, Resnet50GivesLogitsAndAFiniteInputGradient) {
  ModulePtr m = build_model(testing::zoo_config("resnet-50"));
  testing::expect_logits_and_input_gradient(*m, 64, 1000);
}

TEST(ResNetImageNet, ParameterCountsAreTorchvisions) {
  EXPECT_EQ(build_model(testing::zoo_config("resnet-18"))->num_parameters(), 11689512);
  EXPECT_EQ(build_model(testing::zoo_config("resnet-50"))->num_parameters(), 25557032);
}

TEST(ResNetImageNet, StateDictNamesAreTorchvisions) {
  ModulePtr r18 = build_model(testing::zoo_config("resnet-18"));
  // torchvision's resnet18 state dict: 122 tensors, 20 of them num_batches_tracked.
  EXPECT_EQ(testing::state_dict_names(*r18), torchvision_resnet_names({2, 2, 2, 2}, 2));
  EXPECT_EQ(r18->state_dict().size(), 102u);
  const StateDict s18 = r18->state_dict();
  EXPECT_EQ(s18.at("conv1.weight").shape(), (Shape{64, 3, 7, 7}));
  EXPECT_EQ(s18.at("layer2.0.conv1.weight").shape(), (Shape{128, 64, 3, 3}));
  EXPECT_EQ(s18.at("layer2.0.downsample.0.weight").shape(), (Shape{128, 64, 1, 1}));
  EXPECT_EQ(s18.at("layer4.1.bn2.running_var").shape(), (Shape{512}));
  EXPECT_EQ(s18.at("fc.weight").shape(), (Shape{1000, 512}));

  ModulePtr r50 = build_model(testing::zoo_config("resnet-50"));
  // torchvision's resnet50 state dict: 320 tensors, 53 of them num_batches_tracked.
  EXPECT_EQ(testing::state_dict_names(*r50), torchvision_resnet_names({3, 4, 6, 3}, 3));
  EXPECT_EQ(r50->state_dict().size(), 267u);
  const StateDict s50 = r50->state_dict();
  EXPECT_EQ(s50.at("layer1.0.downsample.0.weight").shape(), (Shape{256, 64, 1, 1}));
  // v1.5: the stride is on the 3x3 conv2 (its shape does not show it; the parity test does).
  EXPECT_EQ(s50.at("layer3.5.conv2.weight").shape(), (Shape{256, 256, 3, 3}));
  EXPECT_EQ(s50.at("layer4.2.conv3.weight").shape(), (Shape{2048, 512, 1, 1}));
  EXPECT_EQ(s50.at("fc.weight").shape(), (Shape{1000, 2048}));
}

TEST(ResNetImageNet, TorchvisionCheckpointRoundTrips) {
  testing::expect_checkpoint_round_trip("resnet-18");
  testing::expect_checkpoint_round_trip("resnet-50");
}

TEST(ResNetImageNet, LoadPretrainedNamesAMissingOrMisshapenTensor) {
  testing::expect_load_errors_name_the_tensor("resnet-18", "layer3.1.bn2.running_var", "layer2.0.downsample.0.weight");
  testing::expect_load_errors_name_the_tensor("resnet-50", "layer4.0.downsample.1.bias", "fc.weight");
}

TEST(ResNetImageNet, TakesTheConfigsActivation) {
  ModelConfig c = testing::zoo_config("resnet-18");
  c.activation = "silu";
  ModulePtr m = build_model(c);
  testing::expect_logits_and_input_gradient(*m, 32, 1000);
  c.activation = "wobbly";
  testing::expect_error([&] { build_model(c); }, {"wobbly"});
}

TEST(ResNetImageNet, TakesThreeChannelsOnly) {
  ModelConfig c = testing::zoo_config("resnet-50");
  c.channels = 1;
  testing::expect_error([&] { build_model(c); }, {"ResNet", "3 input channels, got 1"});
}

}  // namespace
}  // namespace advgrad::nn
