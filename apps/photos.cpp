// What classify and attack --image share: the pretrained network and the
// photo as the network's evaluation preprocessing makes it.
#include "advgrad/imageio/imagenet_photo.h"
#include "advgrad/nn/pretrained.h"
#include "commands.h"

namespace advgrad::cli {

nn::ModulePtr pretrained_model(const std::string& arch, const std::string& weights) {
  return nn::pretrained_model(arch, weights);
}

Tensor load_photo(const std::string& path) { return imageio::read_imagenet_photo(path); }

}  // namespace advgrad::cli
