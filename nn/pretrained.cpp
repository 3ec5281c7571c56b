#include "advgrad/nn/pretrained.h"

#include <filesystem>

#include "advgrad/io/cache_dir.h"
#include "advgrad/nn/pytorch_checkpoint.h"
#include "advgrad/nn/safetensors.h"

namespace advgrad::nn {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Drops the `num_batches_tracked` counters the model does not have.
void drop_batch_counters(StateDict& state, const StateDict& expected) {
  for (auto it = state.begin(); it != state.end();) {
    const bool counter = ends_with(it->first, ".num_batches_tracked") || it->first == "num_batches_tracked";
    it = counter && !expected.count(it->first) ? state.erase(it) : std::next(it);
  }
}

// The first difference between the file's names and shapes and the model's:
// a tensor the model has and the file lacks (parameters, then buffers, each
// in the model's order), one with
// another shape, then one the file has and the model lacks.
void check_matches(const Module& model, const StateDict& state, const std::string& what) {
  auto tensors = model.named_parameters();
  for (auto& buffer : model.named_buffers()) tensors.push_back(std::move(buffer));
  for (const auto& [name, slot] : tensors) {
    auto it = state.find(name);
    ADVGRAD_CHECK(it != state.end(), "load_pretrained: ", what, " has no tensor '", name, "', which the model needs (",
                  state.size(), " tensors in the file)");
    ADVGRAD_CHECK(it->second.shape() == slot.shape(), "load_pretrained: ", what, ": '", name, "' has shape ",
                  shape_str(it->second.shape()), ", the model expects ", shape_str(slot.shape()));
  }
  const StateDict expected = model.state_dict();
  for (const auto& [name, t] : state)
    ADVGRAD_CHECK(expected.count(name), "load_pretrained: ", what, " has a tensor '", name,
                  "' that the model does not have");
}

}  // namespace

ModelConfig imagenet_config(const std::string& arch) {
  ModelConfig c;
  c.arch = arch;
  c.channels = 3;
  c.height = c.width = 224;
  c.classes = 1000;
  return c;
}

StateDict read_weights(const std::string& path) {
  if (ends_with(path, ".safetensors")) return load_safetensors(path).tensors;
  return load_pytorch_checkpoint(path);
}

void load_pretrained(Module& model, StateDict state, const std::string& what) {
  const StateDict expected = model.state_dict();
  drop_batch_counters(state, expected);
  check_matches(model, state, what);
  for (auto& [name, t] : state) {
    const DType want = expected.at(name).dtype();
    if (t.dtype() != want && is_floating(want) && is_floating(t.dtype())) t = t.to(want);
  }
  model.load_state_dict(state, true);
}

void load_pretrained(Module& model, const std::string& path) {
  ADVGRAD_CHECK(std::filesystem::exists(path), "load_pretrained: weights file ", path,
                " not found (scripts/fetch-pretrained.sh fetches the pretrained ones into the cache)");
  load_pretrained(model, read_weights(path), path);
}

std::string pretrained_path(const std::string& arch) {
  const std::string path = io::cache_path("pretrained") + "/" + arch + ".pth";
  ADVGRAD_CHECK(std::filesystem::exists(path), "pretrained weights for ", arch, " not found at ", path,
                " (run scripts/fetch-pretrained.sh to fetch them)");
  return path;
}

ModulePtr pretrained_model(const std::string& arch, const std::string& weights) {
  ModulePtr model = build_model(imagenet_config(arch));
  load_pretrained(*model, weights.empty() ? pretrained_path(arch) : weights);
  model->eval();
  return model;
}

}  // namespace advgrad::nn
