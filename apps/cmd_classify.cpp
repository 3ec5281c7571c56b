// advgrad classify --model efficientnet-lite0 IMAGE...: the top-k ImageNet
// classes of each photo under a pretrained network. Each image is decoded
// (PNG or JPEG), preprocessed as for ImageNet evaluation (shorter side 256,
// bicubic, centre crop 224, pixels in [0, 1]; data/imagenet.h) and run in eval mode.
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "advgrad/data/imagenet.h"
#include "advgrad/eval/classify.h"
#include "advgrad/imageio/imagenet_photo.h"
#include "advgrad/nn/pretrained.h"
#include "commands.h"

namespace advgrad::cli {
namespace {

struct ClassifyFlags {
  std::string model = "efficientnet-lite0";
  std::string weights;  // default: <cache>/pretrained/<model>.pth
  std::int64_t top = 5;
  std::vector<std::string> images;
};

nlohmann::json to_json(const std::string& image, const std::vector<eval::Prediction>& top) {
  nlohmann::json classes = nlohmann::json::array();
  for (const auto& p : top) classes.push_back({{"index", p.index}, {"name", p.name}, {"probability", p.probability}});
  return {{"image", image}, {"top", classes}};
}

void print_table(const std::string& image, const std::vector<eval::Prediction>& top) {
  std::cout << image << "\n";
  for (const auto& p : top)
    std::cout << "  " << std::fixed << std::setprecision(4) << p.probability << "  " << p.name << " (" << p.index
              << ")\n";
}

int run_classify(const ClassifyFlags& f, const Common& common) {
  const std::vector<std::string> names = data::imagenet_class_names();
  nn::ModulePtr model = nn::pretrained_model(f.model, f.weights);
  nlohmann::json all = nlohmann::json::array();
  for (const std::string& image : f.images) {
    const auto top = eval::classify(*model, imageio::read_imagenet_photo(image), names, f.top).front();
    if (common.json)
      all.push_back(to_json(image, top));
    else
      print_table(image, top);
  }
  if (common.json) std::cout << all.dump(2) << "\n";
  return 0;
}

}  // namespace

Command add_classify(CLI::App& app, Common& common) {
  auto* cmd = app.add_subcommand("classify", "top-k ImageNet classes of photos under a pretrained network");
  auto f = std::make_shared<ClassifyFlags>();
  cmd->add_option("images", f->images, "PNG or JPEG photos")->required();
  cmd->add_option("--model", f->model, "pretrained architecture")->check(CLI::IsMember({"efficientnet-lite0"}));
  cmd->add_option("--weights", f->weights,
                  "weights file (.pth or .safetensors); default: the cache of scripts/fetch-pretrained.sh");
  cmd->add_option("--top", f->top, "how many classes to print per image")->check(CLI::Range(1, 1000));
  cmd->add_flag("--json", common.json, "print the predictions as JSON");
  return {cmd, [f, &common] { return run_classify(*f, common); }};
}

}  // namespace advgrad::cli
