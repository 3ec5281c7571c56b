#pragma once
// Model files: the model's state_dict in safetensors, with the ModelConfig in
// the metadata ("advgrad.model" = JSON), so load_model() rebuilds the right
// architecture by name before loading the weights.
#include <map>
#include <string>

#include "advgrad/nn/models.h"
#include "advgrad/nn/module.h"

namespace advgrad::nn {

struct LoadedModel {
  ModulePtr model;
  ModelConfig config;
  std::map<std::string, std::string> metadata;  // everything in the file's __metadata__
};

std::string config_to_json(const ModelConfig& config);
ModelConfig config_from_json(const std::string& json, const std::string& what);

// extra_metadata is stored beside the config (e.g. training data set, accuracy).
void save_model(const std::string& path, const Module& model, const ModelConfig& config,
                const std::map<std::string, std::string>& extra_metadata = {});
LoadedModel load_model(const std::string& path);

}  // namespace advgrad::nn
