// Lite0 read at blocks 7, 10 and 15 (nn/lite0_taps.h).
#include "advgrad/nn/lite0_taps.h"

#include <algorithm>

#include "advgrad/core/error.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/nn/activation.h"
#include "advgrad/nn/containers.h"
#include "advgrad/nn/efficientnet.h"
#include "advgrad/nn/linear.h"
#include "advgrad/nn/pretrained.h"
#include "advgrad/nn/transfer.h"

namespace advgrad::nn {
namespace {

class Lite0Taps : public Module {
 public:
  Lite0Taps(std::int64_t channels, std::int64_t classes, Generator& gen) : act_("relu6") {
    // Lite0's own modules, adopted under their names (the input scaling, stem, BN and blocks).
    ModulePtr lite0 = efficientnet(EfficientNetVariant::Lite0, channels, classes, gen);
    for (const auto& [name, child] : lite0->named_children()) {
      if (name == "_input") input_ = register_module(name, child);
      if (name == "_conv_stem") stem_ = register_module(name, child);
      if (name == "_bn0") bn0_ = register_module(name, child);
      if (name == "_blocks") blocks_ = register_module(name, std::dynamic_pointer_cast<Sequential>(child));
    }
    ADVGRAD_CHECK(input_ && stem_ && bn0_ && blocks_ && blocks_->size() == 16,
                  "lite0_taps: Lite0 lacks the modules it reads");
    fc_ = register_module("_fc", std::make_shared<Linear>(lite0_tap_features(), classes, gen));
  }

  Tensor forward(const Tensor& x) override {
    Tensor h = act_((*bn0_)((*stem_)((*input_)(x))));
    std::vector<Tensor> pooled;
    const auto& taps = lite0_tap_blocks();
    for (std::size_t b = 0; b <= static_cast<std::size_t>(taps.back()); ++b) {
      h = (*(*blocks_)[b])(h);
      if (std::find(taps.begin(), taps.end(), static_cast<std::int64_t>(b)) != taps.end())
        pooled.push_back(global_avg_pool2d(h));
    }
    return (*fc_)(cat(pooled, 1));
  }
  std::string type_name() const override { return "EfficientNetLite0Taps"; }

 private:
  Activation act_;  // no tensors: not registered
  ModulePtr input_, stem_, bn0_;
  std::shared_ptr<Sequential> blocks_;
  std::shared_ptr<Linear> fc_;
};

}  // namespace

const std::vector<std::int64_t>& lite0_tap_blocks() {
  static const std::vector<std::int64_t> blocks{7, 10, 15};
  return blocks;
}

std::int64_t lite0_tap_features() { return 80 + 112 + 320; }

ModulePtr lite0_taps(std::int64_t channels, std::int64_t classes, Generator& gen) {
  return std::make_shared<Lite0Taps>(channels, classes, gen);
}

ModulePtr pretrained_lite0_taps(const ModelConfig& config, const std::string& weights_path) {
  ADVGRAD_CHECK(config.arch == "efficientnet-lite0-taps",
                "pretrained_lite0_taps: expects arch efficientnet-lite0-taps, got ", config.arch);
  return with_pretrained_backbone(config, "efficientnet-lite0", weights_path, "pretrained_lite0_taps");
}

}  // namespace advgrad::nn
