// The workshop's summaries: optimizers, and the comparison of every recipe
// with their training curves.
#include <nlohmann/json.hpp>

#include "advgrad/workshop/report_text.h"
#include "advgrad/workshop/training_curves.h"
#include "advgrad/workshop/workshop_parts.h"

namespace advgrad::workshop {

void optimizers_part(WorkshopContext& ctx) {
  const auto rows = optimizer_experiment(ctx.runner, ctx.data, ctx.budget);
  const auto& b = ctx.budget;
  ctx.report.heading("13. Optimizer susceptibility");
  ctx.report.paragraph("The same " + b.arch + " trained with six optimizers for the same budget (" +
                       std::to_string(b.epochs) + " epochs, same data order and initial weights). Clean accuracy "
                       "alone does not tell how robust each model is. Also: `advgrad experiment optimizers`.");
  ctx.report.table(rows_table(rows, b, "Accuracy by optimizer (optimizers.csv)"));
  for (const auto& note : failed_training_notes(rows)) ctx.report.warning(note);
  ctx.report.figure("optimizers", "PGD accuracy against eps, one curve per optimizer");
  // The best clean model against the least clean one, and the same pair under PGD.
  const RobustRow *best = nullptr, *worst = nullptr;
  for (const auto& r : rows) {
    if (r.failed) continue;
    if (!best || r.clean > best->clean) best = &r;
    if (!worst || r.clean < worst->clean) worst = &r;
  }
  if (best && worst && best != worst) {
    const std::string pgd = "PGD-" + std::to_string(b.pgd_steps);
    ctx.report.takeaway("Clean: " + compare_text({best->name, best->clean, best->clean_count},
                                                 {worst->name, worst->clean, worst->clean_count}) +
                        ". Under " + pgd + ": " +
                        compare_text({best->name, best->pgd, best->attack_count},
                                     {worst->name, worst->pgd, worst->attack_count}) +
                        [&] {
                          switch (compare({"", best->pgd, best->attack_count}, {"", worst->pgd, worst->attack_count})) {
                            case 1: return std::string(": the better fit is also the more robust model.");
                            case -1: return std::string(": the better fit is the less robust model.");
                            default: return std::string(": the clean gap does not carry over to the attack.");
                          }
                        }());
  }
}

void comparison_part(WorkshopContext& ctx) {
  const auto& b = ctx.budget;
  rows_stage(ctx.runner, "comparison", ctx.comparison, b, "Robustness by recipe on " + ctx.data.test.name);
  ctx.runner.run("comparison-curves", [&](StageFiles& files) {
    write_stage_figure(files, test_accuracy_curves(ctx.comparison, "Clean test accuracy per epoch, by recipe"),
                       "recipe_curves");
    return nlohmann::json::object().dump();
  });
  const std::string pgd = "PGD-" + std::to_string(b.pgd_steps);
  ctx.report.heading("14. Comparison of the recipes");
  ctx.report.paragraph("Clean accuracy on the whole test split; FGSM and " + pgd + " (random start, step 2.5 eps / " +
                       "steps) at eps = " + report::format_fixed(b.eps, 2) + " on the first " +
                       std::to_string(b.attack_examples) + " test images; training wall time.");
  report::ReportTable t = rows_table(ctx.comparison, b, "Recipes compared (comparison.csv)");
  t.header[0] = "recipe";
  ctx.report.table(t);
  for (const auto& note : failed_training_notes(ctx.comparison)) ctx.report.warning(note);
  ctx.report.figure("comparison", "PGD accuracy against eps, one curve per recipe");
  ctx.report.figure("recipe_curves", "Clean test accuracy after each epoch of each recipe's training");
  const RobustRow* most = nullptr;
  for (const auto& r : ctx.comparison)
    if (!r.failed && (!most || r.pgd > most->pgd)) most = &r;
  const RobustRow& none = ctx.comparison.front();
  if (most && most != &none)
    ctx.report.takeaway("The most robust recipe here is " + most->name + ": " +
                        compare_text({most->name + " under " + pgd, most->pgd, most->attack_count},
                                     {"the baseline under " + pgd, none.pgd, none.attack_count}) +
                        "; its clean accuracy: " +
                        compare_text({most->name, most->clean, most->clean_count},
                                     {"the baseline", none.clean, none.clean_count}) +
                        (most->name == "online-fgsm" || most->name == "fgsm-rs" || most->name == "pgd-at"
                             ? ". Its attack runs inside the training loop, against the weights being trained."
                             : "."));
}

}  // namespace advgrad::workshop
