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

// The first floating-point tensor of `state` (in name order) holding a NaN or
// an infinity, as "'fc1.weight' (nan at index 17 of 6272)"; empty when every
// value is finite. A diverged training run leaves such weights; a model with
// them predicts nothing (every logit NaN), so save_model and load_model refuse
// them with this description.
std::string describe_non_finite(const StateDict& state);

// extra_metadata is stored beside the config (e.g. training data set, accuracy).
// Throws advgrad::Error naming the first non-finite parameter instead of
// writing weights that hold a NaN or an infinity.
void save_model(const std::string& path, const Module& model, const ModelConfig& config,
                const std::map<std::string, std::string>& extra_metadata = {});
// Throws advgrad::Error for a file that is not an advgrad model, does not
// match its config, or holds a non-finite weight (named).
LoadedModel load_model(const std::string& path);

}  // namespace advgrad::nn
