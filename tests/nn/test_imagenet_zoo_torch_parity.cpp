// The torchvision-named ImageNet networks against torchvision itself, and
// efficientnet-b0 against the efficientnet_pytorch package: the .pth files and
// the logits bench/torch_imagenet_zoo.py writes (those modules with random
// weights, saved by torch.save) are loaded with
// nn::load_pretrained and run on the same image. Needs PyTorch, so it runs
// only with ADVGRAD_TORCH_ZOO_DIR set (skipped, visibly, otherwise):
//   ~/.cache/advgrad-torch-venv/bin/python bench/torch_imagenet_zoo.py --out DIR
//   ADVGRAD_TORCH_ZOO_DIR=DIR ctest --preset ci -R ImageNetZooTorchParity -V
#include <cstdlib>
#include <filesystem>

#include "testing.h"

namespace advgrad::nn {
namespace {

class ImageNetZooTorchParity : public ::testing::TestWithParam<std::string> {};

TEST_P(ImageNetZooTorchParity, LogitsMatchPyTorch) {
  const char* dir = std::getenv("ADVGRAD_TORCH_ZOO_DIR");
  if (!dir) GTEST_SKIP() << "ADVGRAD_TORCH_ZOO_DIR not set: run bench/torch_imagenet_zoo.py --out DIR first";
  const std::string arch = GetParam(), base = std::string(dir) + "/" + arch;
  ASSERT_TRUE(std::filesystem::exists(base + ".pth")) << base << ".pth";
  ModulePtr m = build_model(imagenet_config(arch));
  load_pretrained(*m, base + ".pth");
  m->eval();
  const SafetensorsFile io = load_safetensors(base + ".io.safetensors");
  NoGradGuard no_grad;
  const Tensor ours = (*m)(io.tensors.at("image")), theirs = io.tensors.at("logits");
  ASSERT_EQ(ours.shape(), theirs.shape());
  const std::vector<double> a = ours.to_double_vector(), b = theirs.to_double_vector();
  double diff = 0, scale = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, std::abs(a[i] - b[i]));
    scale = std::max(scale, std::abs(b[i]));
  }
  std::cout << arch << ": max |advgrad - PyTorch| logit " << diff << " (logits up to " << scale << ")\n";
  EXPECT_LE(diff, 1e-4 * std::max(1.0, scale));
}

INSTANTIATE_TEST_SUITE_P(Archs, ImageNetZooTorchParity, ::testing::Values("resnet-18", "resnet-50", "mobilenet-v2", "efficientnet-b0"),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::erase(n, '-');
                           return n;
                         });

}  // namespace
}  // namespace advgrad::nn
