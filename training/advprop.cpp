#include "advgrad/training/advprop.h"

#include <memory>

#include "advgrad/core/ops/ops.h"
#include "advgrad/nn/dual_batch_norm.h"

namespace advgrad::training {

Trainer::StepLoss advprop_loss(const OnlineAdversarialOptions& options) {
  const attacks::AttackOptions attack = to_attack_options(options);
  auto gen = std::make_shared<Generator>(options.seed);
  return [attack, gen](nn::Module& model, const data::Batch& batch, Tensor& logits) {
    Tensor adv_loss;
    {
      nn::BatchNormRouteGuard aux(model, nn::BatchNormRoute::Auxiliary);
      ADVGRAD_CHECK(nn::set_batch_norm_route(model, nn::BatchNormRoute::Auxiliary) > 0,
                    "AdvProp: the model has no dual BatchNorm (build it with dual_batch_norm, e.g. cnn-bn or resnet-20)");
      const Tensor x_adv = craft_adversarial(model, batch.images, batch.labels, attack, *gen);
      adv_loss = cross_entropy(model(x_adv), batch.labels);
    }  // back on the main BN
    logits = model(batch.images);
    return add(cross_entropy(logits, batch.labels), adv_loss);
  };
}

}  // namespace advgrad::training
