// What classify and attack --image share: the pretrained network and the
// photo as the network's evaluation preprocessing makes it.
#include "advgrad/data/imagenet.h"
#include "advgrad/imageio/image_file.h"
#include "advgrad/nn/pretrained.h"
#include "commands.h"

namespace advgrad::cli {

nn::ModulePtr pretrained_model(const std::string& arch, const std::string& weights) {
  nn::ModulePtr model = nn::build_model(nn::imagenet_config(arch));
  nn::load_pretrained(*model, weights.empty() ? nn::pretrained_path(arch) : weights);
  model->eval();
  return model;
}

Tensor load_photo(const std::string& path) {
  return data::imagenet_eval_transform(imageio::to_tensor(imageio::read_image(path))).unsqueeze(0);
}

}  // namespace advgrad::cli
