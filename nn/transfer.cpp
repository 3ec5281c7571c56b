#include "advgrad/nn/transfer.h"

#include <charconv>

#include "advgrad/core/error.h"
#include "advgrad/nn/efficientnet.h"
#include "advgrad/nn/freeze.h"
#include "advgrad/nn/pretrained.h"

namespace advgrad::nn {
namespace {
constexpr std::int64_t kBlocks = 16;  // MBConv blocks of EfficientNet-B0 and -Lite0
}  // namespace

std::string FreezeSpec::to_string() const { return mode == "blocks" ? "blocks:" + std::to_string(blocks) : mode; }

FreezeSpec parse_freeze(const std::string& text) {
  if (text == "backbone" || text == "none") return {.mode = text, .blocks = 0};
  if (text.rfind("blocks:", 0) == 0) {
    const std::string k = text.substr(7);
    std::int64_t n = -1;
    const auto [end, ec] = std::from_chars(k.data(), k.data() + k.size(), n);
    ADVGRAD_CHECK(ec == std::errc() && end == k.data() + k.size() && n >= 0 && n <= kBlocks, "freeze: '", text,
                  "' needs a block count 0..", kBlocks, " after 'blocks:'");
    return {.mode = "blocks", .blocks = n};
  }
  detail::fail("freeze: unknown '", text, "' (expected backbone, none or blocks:K)");
}

bool supports_transfer(const std::string& arch) { return arch == "efficientnet-lite0" || arch == "efficientnet-b0"; }

ModulePtr pretrained_with_new_head(const ModelConfig& config, const std::string& weights_path) {
  ADVGRAD_CHECK(supports_transfer(config.arch), "pretrained_with_new_head: ", config.arch,
                " has no pretrained weights (efficientnet-lite0 or efficientnet-b0)");
  return with_pretrained_backbone(config, config.arch, weights_path, "pretrained_with_new_head");
}

ModulePtr with_pretrained_backbone(const ModelConfig& config, const std::string& pretrained_arch,
                                   const std::string& weights_path, const char* who) {
  ADVGRAD_CHECK(config.channels == 3, who, ": the pretrained ", pretrained_arch,
                " takes 3-channel images, the config says ", config.channels);
  ModulePtr imagenet = build_model(imagenet_config(pretrained_arch));
  load_pretrained(*imagenet, weights_path);
  StateDict state = imagenet->state_dict();
  state.erase("_fc.weight");
  state.erase("_fc.bias");
  ModulePtr model = build_model(config);
  model->load_state_dict(state, /*strict=*/false);
  // Everything but _fc must have come from the file.
  for (const auto& [name, t] : model->state_dict())
    ADVGRAD_CHECK(name.rfind("_fc.", 0) == 0 || state.count(name), who, ": ", weights_path, " gave no tensor '", name,
                  "'");
  return model;
}

std::vector<std::string> trainable_prefixes(const FreezeSpec& spec) {
  if (spec.mode == "none") return {""};
  if (spec.mode == "backbone") return {};
  ADVGRAD_CHECK(spec.mode == "blocks" && spec.blocks >= 0 && spec.blocks <= kBlocks, "freeze: bad spec '",
                spec.to_string(), "'");
  std::vector<std::string> out{"_conv_head.", "_bn1."};
  for (std::int64_t b = kBlocks - spec.blocks; b < kBlocks; ++b) out.push_back("_blocks." + std::to_string(b) + ".");
  return out;
}

ModulePtr freeze(ModulePtr model, const FreezeSpec& spec) {
  return std::make_shared<PartlyFrozen>(std::move(model), std::vector<std::string>{"_fc."}, trainable_prefixes(spec));
}

}  // namespace advgrad::nn
