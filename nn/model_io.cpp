#include "advgrad/nn/model_io.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "advgrad/nn/safetensors.h"

namespace advgrad::nn {
namespace {

// The model is built from its config before the file's weights are checked
// against it, and an MLP's first layer grows with channels x height x width: a
// corrupt or hostile config (a height of 2^49) would ask for petabytes. These
// bounds are far above every model advgrad trains (1x28x28, 3x32x32) or loads
// (3x224x224, 1000 classes) and keep the largest model they allow under 1 GB.
constexpr std::int64_t kMaxInputValues = 3 * 512 * 512;
constexpr std::int64_t kMaxClasses = 100000;

void check_plausible(const ModelConfig& c, const std::string& what) {
  auto bad = [&](const auto&... msg) { detail::fail("model file '", what, "': its config ", msg..., " (a corrupt file?)"); };
  if (c.channels < 1 || c.height < 1 || c.width < 1)
    bad("says the input is ", c.channels, "x", c.height, "x", c.width, "; every size must be at least 1");
  if (c.channels > kMaxInputValues || c.height > kMaxInputValues || c.width > kMaxInputValues ||
      c.channels * c.height * c.width > kMaxInputValues)
    bad("says the input is ", c.channels, "x", c.height, "x", c.width, ", more than the ", kMaxInputValues,
        " values (3x512x512) an advgrad model takes");
  if (c.classes < 2 || c.classes > kMaxClasses) bad("says ", c.classes, " classes; advgrad models have 2 to ", kMaxClasses);
}

// A whole-number field. nlohmann's get<int64_t>() of a JSON float converts it
// with a cast, undefined behaviour for 2.9e25 (found by fuzz/fuzz_model_config),
// so only JSON integers are taken: the files advgrad writes hold integers.
std::int64_t integer_field(const nlohmann::json& j, const char* key, const std::string& what) {
  const auto& v = j.at(key);
  if (!v.is_number_integer())
    detail::fail("model file '", what, "': its config's ", key, " is ", v.dump(), ", not a whole number (a corrupt file?)");
  return v.get<std::int64_t>();
}

}  // namespace

std::string config_to_json(const ModelConfig& c) {
  nlohmann::json j{{"arch", c.arch},         {"channels", c.channels}, {"height", c.height},
                   {"width", c.width},       {"classes", c.classes},   {"activation", c.activation},
                   {"seed", c.seed},         {"normalize_mean", c.normalize_mean},
                   {"normalize_std", c.normalize_std}};
  if (c.dual_batch_norm) j["dual_batch_norm"] = true;  // absent = false: older files stay valid
  return j.dump();
}

ModelConfig config_from_json(const std::string& text, const std::string& what) {
  try {
    const auto j = nlohmann::json::parse(text);
    ModelConfig c;
    c.arch = j.at("arch").get<std::string>();
    c.channels = integer_field(j, "channels", what);
    c.height = integer_field(j, "height", what);
    c.width = integer_field(j, "width", what);
    c.classes = integer_field(j, "classes", what);
    c.activation = j.at("activation").get<std::string>();
    c.seed = j.contains("seed") ? static_cast<std::uint64_t>(integer_field(j, "seed", what)) : 0;
    c.normalize_mean = j.value("normalize_mean", std::vector<double>{});
    c.normalize_std = j.value("normalize_std", std::vector<double>{});
    c.dual_batch_norm = j.value("dual_batch_norm", false);
    check_plausible(c, what);
    return c;
  } catch (const nlohmann::json::exception& e) {
    detail::fail(what, ": model config is not valid (", e.what(), ")");
  }
}

std::string describe_non_finite(const StateDict& state) {
  for (const auto& [name, t] : state) {
    if (!t.defined() || !is_floating(t.dtype())) continue;
    const std::vector<double> v = t.to_double_vector();
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (std::isfinite(v[i])) continue;
      std::ostringstream s;
      s << "'" << name << "' (" << v[i] << " at index " << i << " of " << v.size() << ")";
      return s.str();
    }
  }
  return "";
}

void save_model(const std::string& path, const Module& model, const ModelConfig& config,
                const std::map<std::string, std::string>& extra_metadata) {
  const StateDict state = model.state_dict();
  const std::string bad = describe_non_finite(state);
  ADVGRAD_CHECK(bad.empty(), "save_model: refusing to write '", path, "': its weights are not finite, first ", bad,
                " (training diverged? try a lower --lr)");
  auto metadata = extra_metadata;
  metadata["format"] = "pt";  // lets Python's safetensors.torch load it as a state dict
  metadata["advgrad.model"] = config_to_json(config);
  save_safetensors(path, state, metadata);
}

LoadedModel load_model(const std::string& path) {
  SafetensorsFile file = load_safetensors(path);
  auto it = file.metadata.find("advgrad.model");
  ADVGRAD_CHECK(it != file.metadata.end(), "model file '", path,
                "' has no advgrad.model metadata (was it written by advgrad train?)");
  LoadedModel out;
  out.config = config_from_json(it->second, path);
  out.model = build_model(out.config);
  try {
    out.model->load_state_dict(file.tensors);
  } catch (const Error& e) {
    detail::fail("model file '", path, "' does not match its ", out.config.arch, " config: ", e.what());
  }
  const std::string bad = describe_non_finite(file.tensors);
  ADVGRAD_CHECK(bad.empty(), "model file '", path, "' holds non-finite weights, first ", bad,
                ": it was saved from a diverged run (retrain with a lower --lr)");
  out.metadata = std::move(file.metadata);
  return out;
}

}  // namespace advgrad::nn
