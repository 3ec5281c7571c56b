// The torchvision-named MobileNetV2 (nn/mobilenet_v2.h) from scratch: logits
// and dLoss/dImage, torchvision's parameter count and state-dict names, a
// torchvision-style .pth round trip and load_pretrained's errors.
// Logits against torchvision's: test_imagenet_zoo_torch_parity.cpp.
#include "nn/imagenet_zoo_testing.h"

namespace advgrad::nn {
namespace {

// torchvision's names: the rules of mobilenet_v2.h written out, with the
// expansions of Sandler et al.'s table 2 (t = 1 for features.1 only).
std::set<std::string> torchvision_mobilenet_v2_names() {
  std::set<std::string> names{"features.0.0.weight", "features.18.0.weight", "classifier.1.weight",
                              "classifier.1.bias"};
  testing::add_batch_norm(names, "features.0.1");
  testing::add_batch_norm(names, "features.18.1");
  for (int block = 1; block <= 17; ++block) {
    const std::string p = "features." + std::to_string(block) + ".conv.";
    int k = 0;
    for (int conv_bn_relu6 = 0; conv_bn_relu6 < (block == 1 ? 1 : 2); ++conv_bn_relu6, ++k) {
      names.insert(p + std::to_string(k) + ".0.weight");
      testing::add_batch_norm(names, p + std::to_string(k) + ".1");
    }
    names.insert(p + std::to_string(k) + ".weight");
    testing::add_batch_norm(names, p + std::to_string(k + 1));
  }
  return names;
}

TEST(MobileNetV2, GivesLogitsAndAFiniteInputGradient) {
  ModulePtr m = build_model(testing::zoo_config("mobilenet-v2"));
  testing::expect_logits_and_input_gradient(*m, 64, 1000);
}

TEST(MobileNetV2, ParameterCountIsTorchvisions) {
  EXPECT_EQ(build_model(testing::zoo_config("mobilenet-v2"))->num_parameters(), 3504872);
}

TEST(MobileNetV2, StateDictNamesAreTorchvisions) {
  ModulePtr m = build_model(testing::zoo_config("mobilenet-v2"));
  // torchvision's mobilenet_v2 state dict: 314 tensors, 52 of them num_batches_tracked.
  EXPECT_EQ(testing::state_dict_names(*m), torchvision_mobilenet_v2_names());
  const StateDict sd = m->state_dict();
  EXPECT_EQ(sd.size(), 262u);
  EXPECT_EQ(sd.at("features.0.0.weight").shape(), (Shape{32, 3, 3, 3}));
  EXPECT_EQ(sd.at("features.1.conv.0.0.weight").shape(), (Shape{32, 1, 3, 3}));  // depthwise, t = 1
  EXPECT_EQ(sd.at("features.1.conv.1.weight").shape(), (Shape{16, 32, 1, 1}));
  EXPECT_EQ(sd.at("features.2.conv.0.0.weight").shape(), (Shape{96, 16, 1, 1}));
  EXPECT_EQ(sd.at("features.2.conv.1.0.weight").shape(), (Shape{96, 1, 3, 3}));
  EXPECT_EQ(sd.at("features.17.conv.2.weight").shape(), (Shape{320, 960, 1, 1}));
  EXPECT_EQ(sd.at("features.17.conv.3.running_mean").shape(), (Shape{320}));
  EXPECT_EQ(sd.at("features.18.0.weight").shape(), (Shape{1280, 320, 1, 1}));
  EXPECT_EQ(sd.at("classifier.1.weight").shape(), (Shape{1000, 1280}));
}

TEST(MobileNetV2, TorchvisionCheckpointRoundTrips) { testing::expect_checkpoint_round_trip("mobilenet-v2"); }

TEST(MobileNetV2, LoadPretrainedNamesAMissingOrMisshapenTensor) {
  testing::expect_load_errors_name_the_tensor("mobilenet-v2", "features.7.conv.1.1.running_mean",
                                              "features.4.conv.2.weight");
}

TEST(MobileNetV2, TakesThreeChannelsOnly) {
  ModelConfig c = testing::zoo_config("mobilenet-v2");
  c.channels = 1;
  testing::expect_error([&] { build_model(c); }, {"MobileNetV2", "3 input channels, got 1"});
}

}  // namespace
}  // namespace advgrad::nn
