#include "recipe_flags.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "advgrad/nn/models.h"
#include "advgrad/training/advprop.h"
#include "commands.h"

namespace advgrad::cli {
namespace {

bool given(const CLI::Option* o) { return o != nullptr && o->count() > 0; }

}  // namespace

void RecipeFlags::add_to(CLI::App* cmd) {
  cmd->add_option("--recipe", recipe, "training recipe: standard, online (adversarial training), nsl, advprop")
      ->check(CLI::IsMember({"standard", "online", "nsl", "advprop"}));
  attack_ = cmd->add_option("--adv-attack", online.attack, "online/advprop attack: fgsm, fgsm-rs, pgd")
                ->check(CLI::IsMember(training::online_attack_names()));
  eps_ = cmd->add_option("--adv-eps", online.eps, "online/advprop (and --guard) L-inf eps in pixel units")
             ->check(positive());
  steps_ = cmd->add_option("--adv-steps", online.steps, "pgd steps")->check(CLI::Range(1, 10000));
  step_size_ = cmd->add_option("--adv-step-size", online.step_size,
                               "attack step (default: fgsm eps, fgsm-rs 1.25 eps, pgd 2.5 eps / steps)")
                   ->check(positive());
  mix_ = cmd->add_option("--adv-mix", online.mix, "online: double-batch, adversarial or weighted")
             ->check(CLI::IsMember(training::adversarial_mix_names()));
  weight_ = cmd->add_option("--adv-weight", online.adversarial_weight, "weighted mix: weight w of the adversarial loss")
                ->check(CLI::Range(0.0, 1.0));
  nsl_multiplier_ = cmd->add_option("--nsl-multiplier", nsl.multiplier, "nsl: weight of the neighbour loss")
                        ->check(non_negative());
  nsl_step_ = cmd->add_option("--nsl-step", nsl.adv_step_size, "nsl: adversarial step size")->check(positive());
  nsl_norm_ = cmd->add_option("--nsl-norm", nsl.adv_grad_norm, "nsl: gradient norm, infinity or l2")
                  ->check(CLI::IsMember(training::nsl_norm_names()));
  nsl_loss_ = cmd->add_option("--nsl-neighbor-loss", nsl.neighbor_loss, "nsl: supervised, l1, l2 or kl")
                  ->check(CLI::IsMember(training::nsl_neighbor_loss_names()));
  cmd->add_flag("--guard", guard, "catastrophic-overfitting guard: PGD accuracy on a held-out test slice each epoch");
  cmd->add_flag("--guard-rollback", guard_rollback, "with --guard: on a collapse restore the best-PGD weights and stop");
  guard_size_ = cmd->add_option("--guard-size", guard_size, "with --guard: held-out examples (first of the test set)")
                    ->check(CLI::Range(1, 1 << 20));
}

void RecipeFlags::check(nn::ModelConfig& model) const {
  const bool adversarial = recipe == "online" || recipe == "advprop";
  for (const CLI::Option* o : {attack_, steps_, step_size_, mix_, weight_})
    ADVGRAD_CHECK(adversarial || !given(o), "train: ", o->get_name(), " needs --recipe online or advprop (got --recipe ",
                  recipe, ")");
  ADVGRAD_CHECK(adversarial || guard || !given(eps_), "train: --adv-eps needs --recipe online or advprop, or --guard");
  for (const CLI::Option* o : {nsl_multiplier_, nsl_step_, nsl_norm_, nsl_loss_})
    ADVGRAD_CHECK(recipe == "nsl" || !given(o), "train: ", o->get_name(), " needs --recipe nsl (got --recipe ", recipe,
                  ")");
  ADVGRAD_CHECK(!given(steps_) || online.attack == "pgd", "train: --adv-steps is for --adv-attack pgd (", online.attack,
                " takes one step)");
  ADVGRAD_CHECK(!given(weight_) || online.mix == "weighted", "train: --adv-weight needs --adv-mix weighted");
  ADVGRAD_CHECK(recipe != "advprop" || (!given(mix_) && !given(weight_)),
                "train: advprop's loss is fixed (clean via the main BN + adversarial via the auxiliary BN); drop "
                "--adv-mix/--adv-weight");
  ADVGRAD_CHECK(guard || (!guard_rollback && !given(guard_size_)), "train: --guard-rollback and --guard-size need --guard");
  if (recipe == "advprop") {
    ADVGRAD_CHECK(nn::has_batch_norm(model.arch),
                  "train: advprop needs a model with BatchNorm (--model ", nn::dual_batch_norm_model_list(), "), got ",
                  model.arch);
    model.dual_batch_norm = true;
  }
  if (adversarial) training::validate(online);
  if (recipe == "nsl") training::validate(nsl);
}

void RecipeFlags::install(training::Trainer& trainer, const data::Dataset& test, std::uint64_t seed) {
  training::OnlineAdversarialOptions o = online;
  o.seed = seed;
  if (recipe == "online") trainer.set_step_loss(training::online_adversarial_loss(o));
  else if (recipe == "advprop") trainer.set_step_loss(training::advprop_loss(o));
  else if (recipe == "nsl") trainer.set_step_loss(training::nsl_step_loss(nsl));
  if (!guard) return;
  training::OverfittingGuardOptions g;
  g.eps = online.eps;
  g.rollback = g.stop = guard_rollback;
  g.seed = seed;
  trainer.set_epoch_hook(training::overfitting_guard(trainer.model(), test.head(guard_size), g, guard_log));
}

std::string RecipeFlags::to_json() const {
  nlohmann::json j{{"recipe", recipe}};
  if (recipe == "online" || recipe == "advprop") {
    const attacks::AttackOptions a = training::to_attack_options(online);
    j["attack"] = online.attack;
    j["eps"] = a.eps;
    j["steps"] = a.steps;
    j["step_size"] = a.step_size;
    if (recipe == "online") j["mix"] = online.mix;
    if (recipe == "online" && online.mix == "weighted") j["adversarial_weight"] = online.adversarial_weight;
  } else if (recipe == "nsl") {
    j["multiplier"] = nsl.multiplier;
    j["adv_step_size"] = nsl.adv_step_size;
    j["adv_grad_norm"] = nsl.adv_grad_norm;
    j["neighbor_loss"] = nsl.neighbor_loss;
  }
  if (guard) {
    j["guard"] = {{"eps", online.eps}, {"holdout", guard_size}, {"rollback", guard_rollback},
                  {"collapsed", guard_log->collapsed}, {"collapse_epoch", guard_log->collapse_epoch},
                  {"rolled_back", guard_log->rolled_back}, {"pgd_accuracy", guard_log->pgd_accuracy}};
  }
  return j.dump();
}

std::string RecipeFlags::describe() const {
  std::ostringstream s;
  s << recipe;
  if (recipe == "online" || recipe == "advprop") {
    const attacks::AttackOptions a = training::to_attack_options(online);
    s << " " << online.attack << (online.attack == "pgd" ? "-" + std::to_string(a.steps) : "") << " eps " << a.eps
      << " step " << a.step_size;
    if (recipe == "online") s << ", " << online.mix << (online.mix == "weighted" ? " w " + std::to_string(online.adversarial_weight) : "");
  } else if (recipe == "nsl") {
    s << " multiplier " << nsl.multiplier << " step " << nsl.adv_step_size << " norm " << nsl.adv_grad_norm
      << ", neighbour loss " << nsl.neighbor_loss;
  }
  if (guard) s << "; guard on " << guard_size << " held-out" << (guard_rollback ? " with rollback" : "");
  return s.str();
}

}  // namespace advgrad::cli
