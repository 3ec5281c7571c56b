// The workshop's second half: defences. Each section reads the numbers its
// stages recorded (experiment_recipes.cpp, experiment_activations.cpp).
#include <nlohmann/json.hpp>
#include <sstream>

#include "advgrad/nn/models.h"
#include "advgrad/workshop/workshop_parts.h"

namespace advgrad::workshop {
namespace {

using nlohmann::json;

json extra_of(const RobustRow& r) { return r.extra_json.empty() ? json::object() : json::parse(r.extra_json); }

std::string recipe_caption(const std::string& what) { return what + " (model files: <stage>.safetensors)"; }

// "PGD accuracy on the held-out training images per epoch: 40%, 35% (collapsed at epoch 2)".
std::string guard_text(const RobustRow& r) {
  const json e = extra_of(r);
  if (!e.contains("guard_pgd_accuracy")) return "";
  // A stream, not operator+ chains, which GCC 12 at -O3 misreports as -Wrestrict.
  std::ostringstream s;
  s << r.name << ": PGD accuracy on held-out training images after each epoch:";
  for (const auto& v : e["guard_pgd_accuracy"]) s << " " << report::format_percent(v.get<double>());
  if (e["collapsed"].get<bool>()) s << " - catastrophic overfitting at epoch " << e["collapse_epoch"].get<std::int64_t>() << ".";
  else s << " - no collapse.";
  return s.str();
}

}  // namespace

void static_fgsm_part(WorkshopContext& ctx) {
  const RobustRow row = recipe_stage(ctx.runner, "static-fgsm", ctx.data, ctx.budget);
  ctx.comparison.push_back(row);
  const json e = extra_of(row);
  ctx.report.heading("4. Static FGSM augmentation: the seven steps");
  ctx.report.paragraph("FGSM copies of the training and test sets are made once, with the baseline, and a fresh "
                       "model is retrained on clean + perturbed training images. The retrained model does well on "
                       "the fixed perturbed test set, yet a new attack computed against its own gradients still "
                       "breaks it: the copies do not follow the model they train.");
  const std::string eps = report::format_fixed(ctx.budget.eps, 3);
  report::ReportTable t{"Static augmentation, eps " + eps, {"step", "what", "accuracy"}, {}};
  t.rows = {
      {"1", "train the baseline on clean data", "-"},
      {"2", "baseline on the clean test set", report::format_percent(e.value("baseline_clean", 0.0))},
      {"3", "FGSM copies of train and test made with the baseline", "-"},
      {"4", "baseline on the FGSM-perturbed test set", report::format_percent(e.value("baseline_perturbed", 0.0))},
      {"5", "retrain on clean + perturbed train (" + std::to_string(e.value("train_images", 0)) + " images)", "-"},
      {"6", "retrained model on the clean test set", report::format_percent(e.value("retrained_clean", 0.0))},
      {"7", "retrained model on the (fixed) perturbed test set",
       report::format_percent(e.value("retrained_perturbed", 0.0))},
      {"-", "retrained model, fresh FGSM against itself", report::format_percent(row.fgsm)},
      {"-", "retrained model, fresh PGD-" + std::to_string(ctx.budget.pgd_steps) + " against itself",
       report::format_percent(row.pgd)}};
  ctx.report.table(t);
}

void online_part(WorkshopContext& ctx) {
  std::vector<RobustRow> rows;
  for (const char* r : {"online-fgsm", "fgsm-rs", "pgd-at"})
    rows.push_back(recipe_stage(ctx.runner, r, ctx.data, ctx.budget));
  ctx.comparison.insert(ctx.comparison.end(), rows.begin(), rows.end());
  ctx.report.heading("5. Online adversarial training");
  ctx.report.paragraph("The attack runs inside the training loop, against the current weights, on every batch: "
                       "FGSM (Goodfellow et al. 2015, half clean and half adversarial loss), fast FGSM from a random "
                       "start (Wong et al. 2020) and PGD-" + std::to_string(ctx.budget.at_steps) +
                       " (Madry et al. 2018). The attacks take only the input gradient, in eval mode, and the "
                       "adversarial batch is detached before the weight update.");
  ctx.report.table(rows_table(rows, ctx.budget, recipe_caption("Online adversarial training"), true));
  for (const auto& r : rows)
    if (const std::string g = guard_text(r); !g.empty()) ctx.report.paragraph(g);
}

void nsl_part(WorkshopContext& ctx) {
  nn::ModulePtr model;
  const RobustRow row = recipe_stage(ctx.runner, "nsl", ctx.data, ctx.budget, &model);
  const eval::NslProtocolResult protocol = nsl_protocol_stage(ctx.runner, ctx.data, ctx.budget, *ctx.baseline, *model);
  ctx.comparison.push_back(row);
  ctx.report.heading("6. NSL: adversarial regularisation");
  ctx.report.paragraph(
      "Neural Structured Learning's adversarial regularisation: the loss is the cross-entropy on "
      "x plus 0.2 times the cross-entropy on the neighbour x' = x + " +
      report::format_fixed(ctx.budget.eps, 3) +
      " sign(dLoss/dx), a constant made from the gradient of the "
      "supervised loss.");
  ctx.report.table(rows_table({row}, ctx.budget, recipe_caption("NSL"), true));
  ctx.report.paragraph("NSL's MNIST tutorial evaluates differently: it makes the one-step neighbours of the test "
                       "set with the baseline and scores both models on those same images. For the baseline that "
                       "is a white-box FGSM attack; for the NSL model it is a transfer attack, made with another "
                       "network's gradient, not the attack an adversary who sees the NSL model would make: compare "
                       "it with white-box PGD on the NSL model itself. Also: `advgrad experiment nsl`.");
  ctx.report.table(nsl_protocol_table(
      protocol, "NSL tutorial protocol (nsl.csv), on the first " + std::to_string(protocol.count) + " test images"));
  ctx.report.figure("nsl", "Accuracy against eps: each model on the baseline's neighbours and under FGSM on "
                              "itself");
}

void advprop_part(WorkshopContext& ctx) {
  const RobustRow control = advprop_control_stage(ctx.runner, ctx.data, ctx.budget);
  const RobustRow row = recipe_stage(ctx.runner, "advprop", ctx.data, ctx.budget);
  ctx.comparison.push_back(row);
  const std::string arch = nn::with_batch_norm(ctx.budget.arch);
  const std::string pgd = "PGD-" + std::to_string(ctx.budget.pgd_steps);
  ctx.report.heading("7. AdvProp: a separate BatchNorm for adversarial examples");
  ctx.report.paragraph(
      "AdvProp (Xie et al. 2020) trains on clean and adversarial batches but normalises them with "
      "separate BatchNorm statistics (" +
      arch +
      " with dual BatchNorm). Its aim is clean accuracy: "
      "evaluation uses the main BatchNorm, whose statistics never saw an adversarial example, while "
      "the other weights are trained on both. The control is the same " +
      arch +
      " trained without "
      "adversarial examples (stage baseline-bn): clean " +
      report::format_percent(control.clean) + " there, " + report::format_percent(row.clean) + " with AdvProp; under " +
      pgd + " " + report::format_percent(control.pgd) + " and " + report::format_percent(row.pgd) +
      ". Whether robustness carries over to the main BatchNorm "
      "depends on the data; on Fashion-MNIST it does not (docs/adversarial-training.md).");
  ctx.report.table(rows_table({control, row}, ctx.budget, recipe_caption("AdvProp and its control"), true));
}

void activations_part(WorkshopContext& ctx) {
  const auto rows = activation_experiment(ctx.runner, ctx.data, ctx.budget);
  ctx.report.heading("8. Smooth activations");
  ctx.report.paragraph("PGD-" + std::to_string(ctx.budget.at_steps) + " adversarial training of the same " +
                       ctx.budget.arch + " with ReLU and with smooth activations (GELU, SiLU, softplus, ELU). Also: "
                       "`advgrad experiment activations`.");
  ctx.report.table(rows_table(rows, ctx.budget, "PGD adversarial training by activation (activations.csv)", true));
  ctx.report.figure("activations", "PGD accuracy against eps, one curve per activation");
}

}  // namespace advgrad::workshop
