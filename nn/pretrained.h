#pragma once
// Loading pretrained weights into a model built by name (nn/models.h), from a
// PyTorch checkpoint (.pth / .pt, read by the restricted reader of
// nn/pytorch_checkpoint.h, never executed) or a safetensors file.
//
//   auto model = nn::build_model(nn::imagenet_config("efficientnet-lite0"));
//   nn::load_pretrained(*model, nn::pretrained_path("efficientnet-lite0"));
#include <string>

#include "advgrad/nn/models.h"
#include "advgrad/nn/module.h"

namespace advgrad::nn {

// The config of an ImageNet model of the zoo: [3, 224, 224] input, 1000 classes.
ModelConfig imagenet_config(const std::string& arch);

// The file's tensors, by extension: .safetensors, else a PyTorch checkpoint.
StateDict read_weights(const std::string& path);

// Copies the file's tensors into the model. Names and shapes must match the
// model's state dict exactly, with one allowance: PyTorch's BatchNorm counter
// `num_batches_tracked` (which advgrad's BatchNorm does not keep; it only
// matters for momentum=None) is dropped when the model has no such tensor.
// Floating tensors are converted to the model's dtype (a float64 model loads
// float32 weights). The first mismatch, in the model's order, is one error
// naming the file and the tensor; nothing is loaded then.
void load_pretrained(Module& model, const std::string& path);
// The same for tensors already read; `what` names their source in errors.
void load_pretrained(Module& model, StateDict state, const std::string& what);

// The ImageNet network `arch` of the zoo with pretrained weights, in eval
// mode: from `weights` (a .pth or .safetensors file), or when that is empty
// from pretrained_path(arch).
ModulePtr pretrained_model(const std::string& arch, const std::string& weights = {});

// <cache>/pretrained/<arch>.pth, where scripts/fetch-pretrained.sh puts it;
// an error saying to run that script when the file is not there.
std::string pretrained_path(const std::string& arch);

}  // namespace advgrad::nn
