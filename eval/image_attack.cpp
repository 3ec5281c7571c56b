#include "advgrad/eval/image_attack.h"

#include <chrono>

#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad::eval {
namespace {

Tensor logits_of(nn::Module& model, const Tensor& x) {
  NoGradGuard no_grad;
  return model(x).detach();
}

// [C, H, W] -> [1, C, H, W]; anything but one image is an error.
Tensor one_image(const Tensor& image) {
  ADVGRAD_CHECK(image.defined() && (image.dim() == 3 || (image.dim() == 4 && image.size(0) == 1)),
                "attack_image: expected one image [C, H, W] or [1, C, H, W], got ",
                image.defined() ? shape_str(image.shape()) : "undefined");
  return (image.dim() == 3 ? image.unsqueeze(0) : image).detach().contiguous();
}

}  // namespace

ImageAttack attack_image(nn::Module& model, const Tensor& image, const attacks::AttackOptions& o,
                         const std::vector<std::string>& names, Generator& gen) {
  attacks::EvalModeGuard eval_mode(model);
  ImageAttack a;
  a.x = one_image(image);
  a.clean_logits = logits_of(model, a.x);
  a.clean = top_k(a.clean_logits.select(0, 0), names, 1).front();
  ADVGRAD_CHECK(!o.targeted || o.target_mode != attacks::TargetMode::Fixed || o.target_class != a.clean.index,
                "attack_image: the target ", o.target_class, " is already the model's answer (", a.clean.name, ")");
  const Tensor label = full({1}, static_cast<double>(a.clean.index), TensorOptions{DType::Int64, a.x.device()});
  const auto start = std::chrono::steady_clock::now();
  const attacks::AttackResult r = attacks::pgd(model, a.x, label, o, gen);
  a.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  a.x_adv = r.x_adv;
  a.adv_logits = logits_of(model, a.x_adv);
  a.adversarial = top_k(a.adv_logits.select(0, 0), names, 1).front();
  if (o.targeted) {
    a.target = r.targets.to(Device::cpu()).to_int_vector().front();
    a.target_probability =
        softmax(a.adv_logits.select(0, 0).to(Device::cpu()).to(DType::Float64), 0).select(0, a.target).item();
  }
  a.success = o.targeted ? a.adversarial.index == a.target : a.adversarial.index != a.clean.index;
  NoGradGuard no_grad;
  a.linf = amax(abs(sub(a.x_adv, a.x))).item();
  return a;
}

}  // namespace advgrad::eval
