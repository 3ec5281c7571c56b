// The workshop's second half: defences. Each section reads the numbers its
// stages recorded (experiment_recipes.cpp, experiment_activations.cpp) and
// says what they show, calling a difference only when the 95% intervals
// separate (report_text.h).
#include <nlohmann/json.hpp>
#include <sstream>

#include "advgrad/nn/models.h"
#include "advgrad/workshop/report_text.h"
#include "advgrad/workshop/training_curves.h"
#include "advgrad/workshop/workshop_parts.h"

namespace advgrad::workshop {
namespace {

using nlohmann::json;

json extra_of(const RobustRow& r) { return r.extra_json.empty() ? json::object() : json::parse(r.extra_json); }

std::string recipe_caption(const std::string& what) { return what + " (model files: <stage>.safetensors)"; }

std::string pgd_name(const ExperimentBudget& b) { return "PGD-" + std::to_string(b.pgd_steps); }

Measured clean_of(const RobustRow& r) { return {r.name + " clean", r.clean, r.clean_count}; }
Measured fgsm_of(const RobustRow& r) { return {r.name + " under FGSM", r.fgsm, r.attack_count}; }
Measured pgd_of(const RobustRow& r, const ExperimentBudget& b) {
  return {r.name + " under " + pgd_name(b), r.pgd, r.attack_count};
}

void add_rows(WorkshopContext& ctx, const std::vector<RobustRow>& rows, const std::string& caption) {
  ctx.report.table(rows_table(rows, ctx.budget, caption));
  for (const auto& note : failed_training_notes(rows)) ctx.report.warning(note);
}

// "online-fgsm: PGD accuracy on held-out training images after each epoch: 40%, 35% - collapsed at epoch 2."
std::string guard_text(const RobustRow& r) {
  const json e = extra_of(r);
  if (!e.contains("guard_pgd_accuracy")) return "";
  std::ostringstream s;  // a stream, not operator+ chains, which GCC 12 at -O3 misreports as -Wrestrict
  s << r.name << ": the overfitting guard's PGD accuracy on held-out training images after each epoch:";
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
  ctx.report.heading("5. Static FGSM augmentation: the seven steps");
  ctx.report.paragraph("FGSM copies of the training and test sets are made once, with the baseline, and a fresh "
                       "model is retrained on clean + perturbed training images. Step 7 scores it on the fixed "
                       "perturbed copies; the last rows attack it afresh, with its own gradients.");
  const std::int64_t n = row.clean_count, na = row.attack_count;
  report::ReportTable t{"Static augmentation, eps " + report::format_fixed(ctx.budget.eps, 2) +
                            "; accuracies with their 95% intervals",
                        {"step", "what", "accuracy"},
                        {}};
  t.rows = {
      {"1", "train the baseline on clean data", "-"},
      {"2", "baseline on the clean test set", accuracy_text(e.value("baseline_clean", 0.0), n)},
      {"3", "FGSM copies of train and test made with the baseline", "-"},
      {"4", "baseline on the FGSM-perturbed test set", accuracy_text(e.value("baseline_perturbed", 0.0), n)},
      {"5", "retrain on clean + perturbed train (" + std::to_string(e.value("train_images", 0)) + " images)", "-"},
      {"6", "retrained model on the clean test set", accuracy_text(e.value("retrained_clean", 0.0), n)},
      {"7", "retrained model on the (fixed) perturbed test set", accuracy_text(e.value("retrained_perturbed", 0.0), n)},
      {"-", "retrained model, fresh FGSM against itself", accuracy_text(row.fgsm, na)},
      {"-", "retrained model, fresh " + pgd_name(ctx.budget) + " against itself", accuracy_text(row.pgd, na)}};
  ctx.report.table(t);
  for (const auto& note : failed_training_notes({row})) ctx.report.warning(note);
  const Measured fixed{"on its fixed copies", e.value("retrained_perturbed", 0.0), n};
  const Measured fresh{"against a fresh " + pgd_name(ctx.budget), row.pgd, na};
  ctx.report.takeaway("Static FGSM retraining: " + accuracy_text(fixed.accuracy, n) + " on its fixed copies, " +
                      accuracy_text(row.fgsm, na) + " against a fresh FGSM and " + accuracy_text(row.pgd, na) +
                      " against a fresh " + pgd_name(ctx.budget) + (compare(fixed, fresh) > 0
                          ? ": the copies were made with the baseline's gradients and do not follow the model they "
                            "train, so a fresh attack finds what they miss."
                          : ": on this budget the fixed copies and a fresh attack cannot be told apart."));
}

void online_part(WorkshopContext& ctx) {
  std::vector<RobustRow> rows;
  for (const char* r : {"online-fgsm", "fgsm-rs", "pgd-at"})
    rows.push_back(recipe_stage(ctx.runner, r, ctx.data, ctx.budget));
  ctx.comparison.insert(ctx.comparison.end(), rows.begin(), rows.end());
  ctx.runner.run("online-curves", {recipe_stage_name("online-fgsm"), recipe_stage_name("fgsm-rs"),
                                   recipe_stage_name("pgd-at")},
                 [&](StageFiles& files) {
                   json drawn = json::array();
                   for (const auto& r : rows)
                     if (!r.history.empty() && !r.failed) {
                       write_stage_figure(files, accuracy_curves(r, r.name + ": accuracy per epoch"),
                                          r.name + "_accuracy");
                       drawn.push_back(r.name);
                     }
                   return json{{"drawn", drawn}}.dump();
                 });
  const auto& b = ctx.budget;
  ctx.report.heading("6. Online adversarial training");
  ctx.report.paragraph("The attack runs inside the training loop, against the current weights, on every batch: "
                       "FGSM (Goodfellow et al. 2015, half clean and half adversarial loss), fast FGSM from a random "
                       "start (Wong et al. 2020) and PGD-" + std::to_string(b.at_steps) +
                       " (Madry et al. 2018). The attacks take only the input gradient, in eval mode, and the "
                       "adversarial batch is detached before the weight update.");
  add_rows(ctx, rows, recipe_caption("Online adversarial training"));
  for (const auto& r : rows)
    if (const std::string g = guard_text(r); !g.empty()) ctx.report.paragraph(g);
  for (const auto& r : rows)
    if (!r.history.empty() && !r.failed)
      ctx.report.figure(r.name + "_accuracy",
                        r.name + ": training accuracy (on its adversarial batches), clean test accuracy" +
                            (guard_pgd_accuracy(r).empty() ? std::string() : " and the guard's PGD accuracy") +
                            " per epoch");
  const RobustRow& fgsm = rows[0];
  const RobustRow& pgd = rows[2];
  const RobustRow& none = ctx.comparison.front();
  std::string text = compare_text(pgd_of(pgd, b), pgd_of(none, b)) +
                     (compare(clean_of(pgd), clean_of(none)) < 0 ? ", at the price of clean accuracy: " : "; clean: ") +
                     compare_text(clean_of(pgd), clean_of(none)) + ".";
  if (compare(fgsm_of(fgsm), pgd_of(fgsm, b)) > 0)
    text += " Online FGSM training resists FGSM better than PGD (" + accuracy_text(fgsm.fgsm, fgsm.attack_count) +
            " vs " + accuracy_text(fgsm.pgd, fgsm.attack_count) + "): it learned to defeat its own one-step attack.";
  else
    text += " Online FGSM's FGSM and " + pgd_name(b) + " accuracy cannot be told apart here; catastrophic "
            "overfitting (FGSM accuracy high while PGD accuracy collapses) comes with longer training, as in the "
            "--full run of docs/adversarial-training.md.";
  ctx.report.takeaway(text);
}

void nsl_part(WorkshopContext& ctx) {
  nn::ModulePtr model;
  const RobustRow row = recipe_stage(ctx.runner, "nsl", ctx.data, ctx.budget, &model);
  const eval::NslProtocolResult protocol = nsl_protocol_stage(ctx.runner, ctx.data, ctx.budget, *ctx.baseline, *model);
  ctx.comparison.push_back(row);
  const auto& b = ctx.budget;
  ctx.report.heading("8. NSL: adversarial regularisation");
  ctx.report.paragraph(
      "Neural Structured Learning's adversarial regularisation: the loss is the cross-entropy on x plus 0.2 times "
      "the cross-entropy on the neighbour x' = x + " + report::format_fixed(b.eps, 2) +
      " sign(dLoss/dx), a constant made from the gradient of the supervised loss.");
  add_rows(ctx, {row}, recipe_caption("NSL"));
  ctx.report.paragraph("NSL's MNIST tutorial evaluates differently: it makes the one-step neighbours of the test "
                       "set with the baseline and scores both models on those same images. For the baseline that "
                       "is a white-box FGSM attack; for the NSL model it is a transfer attack, made with another "
                       "network's gradient, not the attack an adversary who sees the NSL model would make: compare "
                       "it with white-box PGD on the NSL model itself. Also: `advgrad experiment nsl`.");
  ctx.report.table(nsl_protocol_table(
      protocol, "NSL tutorial protocol (nsl.csv), on the first " + std::to_string(protocol.count) + " test images"));
  ctx.report.figure("nsl", "Accuracy against eps: each model on the baseline's neighbours and under FGSM on itself");
  const auto& nsl_row = protocol.nsl;
  const Measured transfer{"on the baseline's neighbours (the tutorial's measure)", nsl_row.neighbors, protocol.count};
  const Measured white_box{"under " + pgd_name(b) + " with its own gradients", nsl_row.pgd, protocol.attack_count};
  const int c = compare(transfer, white_box);
  ctx.report.takeaway("The NSL model, " + compare_text(transfer, white_box) +
                      (c > 0 ? ": the transfer attack overstates its robustness." : "."));
}

void advprop_part(WorkshopContext& ctx) {
  const RobustRow control = advprop_control_stage(ctx.runner, ctx.data, ctx.budget);
  const RobustRow row = recipe_stage(ctx.runner, "advprop", ctx.data, ctx.budget);
  ctx.comparison.push_back(row);
  const std::string arch = nn::with_batch_norm(ctx.budget.arch);
  ctx.report.heading("9. AdvProp: a separate BatchNorm for adversarial examples");
  ctx.report.paragraph(
      "AdvProp (Xie et al. 2020) trains on clean and adversarial batches but normalises them with separate "
      "BatchNorm statistics (" + arch + " with dual BatchNorm). Its aim is clean accuracy: evaluation uses the main "
      "BatchNorm, whose statistics never saw an adversarial example, while the other weights are trained on both. "
      "The control is the same " + arch + " trained without adversarial examples (stage baseline-bn).");
  add_rows(ctx, {control, row}, recipe_caption("AdvProp and its control"));
  const auto& b = ctx.budget;
  ctx.report.takeaway("Clean: " + compare_text({"AdvProp", row.clean, row.clean_count},
                                               {"its control", control.clean, control.clean_count}) +
                      ". Under " + pgd_name(b) + ": " +
                      compare_text({"AdvProp", row.pgd, row.attack_count},
                                   {"its control", control.pgd, control.attack_count}) +
                      (compare({"", row.pgd, row.attack_count}, {"", control.pgd, control.attack_count}) > 0
                           ? ". After this short training the shared weights still carry some robustness into the "
                             "main BatchNorm; in the --full run of docs/adversarial-training.md it is gone, as the "
                             "paper expects: AdvProp is a recipe for clean accuracy, not robustness."
                           : ". AdvProp is a recipe for clean accuracy; the paper does not claim robustness."));
}

void activations_part(WorkshopContext& ctx) {
  const auto rows = activation_experiment(ctx.runner, ctx.data, ctx.budget);
  const auto& b = ctx.budget;
  ctx.report.heading("10. Smooth activations");
  ctx.report.paragraph("PGD-" + std::to_string(b.at_steps) + " adversarial training of the same " + b.arch +
                       " with ReLU and with smooth activations (GELU, SiLU, softplus, ELU), after Xie et al. 2020, "
                       "\"Smooth Adversarial Training\". Also: `advgrad experiment activations`.");
  add_rows(ctx, rows, "PGD adversarial training by activation (activations.csv)");
  ctx.report.figure("activations", "PGD accuracy against eps, one curve per activation (failed trainings left out)");
  const RobustRow& relu = rows.front();
  std::vector<std::string> better, worse, same;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (rows[i].failed) continue;
    const int c = compare(pgd_of(rows[i], b), pgd_of(relu, b));
    (c > 0 ? better : c < 0 ? worse : same).push_back(rows[i].name);
  }
  auto list = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  std::string text = "Under " + pgd_name(b) + ", compared with ReLU (" + accuracy_text(relu.pgd, relu.attack_count) +
                     "): ";
  text += better.empty() ? "no smooth activation is higher" : "higher: " + list(better);
  if (!worse.empty()) text += "; lower: " + list(worse);
  if (!same.empty()) text += "; indistinguishable on these images: " + list(same);
  text += ".";
  if (!failed_training_notes(rows).empty()) text += " A failed training is not a result (see the note above).";
  ctx.report.takeaway(text);
}

}  // namespace advgrad::workshop
