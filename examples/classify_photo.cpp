// What a pretrained ImageNet network sees in a photo: EfficientNet-Lite0's
// five most probable classes.
//   example_classify_photo [PHOTO | --quick] [--save OUT.safetensors]
// Without PHOTO it takes coffee.png from the photo cache. Needs the weights
// and class names of scripts/fetch-pretrained.sh (and the photo of
// scripts/fetch-photos.sh); with --quick and those absent it says so and
// exits 0. --save writes the model's input ("image", [1, 3, 224, 224]) and
// its "logits" for bench/torch_efficientnet_lite0.py --compare.
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <advgrad/advgrad.h>
#include <advgrad/imageio/image_file.h>
#include <advgrad/io/cache_dir.h>

using namespace advgrad;

namespace {

int classify(const std::string& path, const std::string& save) {
  // [snippet:classify]
  nn::ModulePtr model = nn::build_model(nn::imagenet_config("efficientnet-lite0"));
  nn::load_pretrained(*model, nn::pretrained_path("efficientnet-lite0"));
  model->eval();
  Tensor image = imageio::to_tensor(imageio::read_image(path));  // [3, H, W] in [0, 1]
  image = data::imagenet_eval_transform(image).unsqueeze(0);     // [1, 3, 224, 224]
  const auto top5 = eval::classify(*model, image, data::imagenet_class_names(), 5)[0];
  for (const eval::Prediction& p : top5) std::printf("%6.4f  %s\n", p.probability, p.name.c_str());
  // [/snippet]
  if (!save.empty()) {
    NoGradGuard no_grad;
    nn::save_safetensors(save, {{"image", image}, {"logits", (*model)(image)}});
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  std::string photo = io::cache_path("photos") + "/coffee.png", save;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--save") == 0 && i + 1 < argc)
      save = argv[++i];
    else if (std::strcmp(argv[i], "--quick") != 0)
      photo = argv[i];
  }
  const std::string weights = io::cache_path("pretrained") + "/efficientnet-lite0.pth";
  if (quick && !(std::filesystem::exists(weights) && std::filesystem::exists(photo))) {
    std::printf("example_classify_photo: skipped, run scripts/fetch-pretrained.sh and scripts/fetch-photos.sh\n");
    return 0;
  }
  try {
    return classify(photo, save);
  } catch (const Error& e) {  // missing weights, an unreadable photo, ...
    std::fprintf(stderr, "example_classify_photo: %s\n", e.what());
    return 1;
  }
}
