// The comparison's second opinion: every recipe's model under the AutoAttack
// ensemble (attacks/autoattack.h) next to the workshop's fixed-step PGD, on the
// same test images. PGD can only overestimate robust accuracy; the gap says by
// how much, and a large share broken only by Square (which reads no gradient)
// says the model's gradients are masked.
#include <nlohmann/json.hpp>

#include "advgrad/attacks/autoattack.h"
#include "advgrad/eval/interval.h"
#include "advgrad/nn/model_io.h"
#include "advgrad/workshop/report_text.h"
#include "advgrad/workshop/workshop_parts.h"

namespace advgrad::workshop {
namespace {

using nlohmann::json;

// The ensemble's settings per budget: APGD with as many steps as the headline
// PGD, fewer target classes and queries than the paper's (9, 5,000) below --full.
attacks::AutoAttackOptions ensemble_options(const ExperimentBudget& b) {
  attacks::AutoAttackOptions o;
  o.eps = b.eps;
  o.apgd_steps = b.pgd_steps;
  o.target_classes = b.level == "full" ? 9 : b.level == "quick" ? 2 : 3;
  o.square_queries = b.level == "full" ? 5000 : b.level == "quick" ? 50 : 500;
  return o;
}

std::int64_t ensemble_examples(const ExperimentBudget& b) {
  return std::min<std::int64_t>(b.attack_examples, b.level == "full" ? 1000 : b.level == "quick" ? 20 : 200);
}

json attack_row(const RobustRow& row, const std::string& model_path, const data::Dataset& test,
                const ExperimentBudget& b) {
  nn::LoadedModel m = nn::load_model(model_path);
  m.model->eval();
  const std::int64_t n = std::min(ensemble_examples(b), test.size());
  std::vector<std::int64_t> idx(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) idx[static_cast<std::size_t>(i)] = i;
  const Tensor x = test.images_tensor(idx), y = test.labels_tensor(idx);
  Generator gen(b.seed);
  const double pgd = 1 - attacks::pgd(*m.model, x, y, pgd_options(b.eps, b.pgd_steps), gen).success_rate();
  const attacks::AutoAttackResult aa = attacks::autoattack(*m.model, x, y, ensemble_options(b), gen);
  json stages = json::array();
  for (const auto& s : aa.stages) stages.push_back({{"attack", s.attack}, {"robust", s.robust}, {"seconds", s.seconds}});
  return {{"name", row.name}, {"n", n}, {"pgd", pgd}, {"autoattack", aa.robust_accuracy()}, {"stages", stages}};
}

// Examples broken only by Square (after APGD-CE, APGD-T and FAB-T failed on them), as a share of n.
double square_share(const json& r) {
  const auto& s = r["stages"];
  return static_cast<double>(s[s.size() - 2]["robust"].get<std::int64_t>() - s.back()["robust"].get<std::int64_t>()) /
         static_cast<double>(r["n"].get<std::int64_t>());
}

}  // namespace

void autoattack_part(WorkshopContext& ctx) {
  const auto& b = ctx.budget;
  const json j = json::parse(ctx.runner.run("comparison-autoattack", [&](StageFiles&) {
    json rows = json::array();
    for (const auto& r : ctx.comparison)
      if (!r.failed && !r.model_file.empty())
        rows.push_back(attack_row(r, ctx.runner.path(r.model_file), ctx.data.test, b));
    return json{{"rows", rows}}.dump();
  }));
  const attacks::AutoAttackOptions o = ensemble_options(b);
  const std::string pgd = "PGD-" + std::to_string(b.pgd_steps);
  ctx.report.paragraph(
      "A second opinion on the same table: AutoAttack (Croce & Hein 2020; docs/robust-evaluation.md) on the first " +
      std::to_string(ensemble_examples(b)) + " test images, at the same eps. APGD-CE (" + std::to_string(o.apgd_steps) +
      " steps, no step size to choose), then APGD-T toward " + std::to_string(o.target_classes) +
      " wrong classes, then FAB-T toward the same classes (the closest misclassified point, counted within eps), "
      "then the gradient-free Square attack (" + std::to_string(o.square_queries) +
      " queries), each on the images the earlier ones left standing. " + pgd +
      " ran again on the same images, so the two columns compare like with like.");
  report::ReportTable t{"Robust accuracy: " + pgd + " against AutoAttack (comparison-autoattack)",
                        {"recipe", pgd, "AutoAttack", "PGD overestimates by", "broken only by Square"},
                        {}};
  std::string worst;
  double worst_gap = 0;
  for (const auto& r : j["rows"]) {
    const std::int64_t n = r["n"].get<std::int64_t>();
    const double p = r["pgd"].get<double>(), a = r["autoattack"].get<double>();
    t.rows.push_back({r["name"].get<std::string>(), accuracy_text(p, n), accuracy_text(a, n),
                      report::format_fixed(100 * (p - a), 1) + " points", report::format_percent(square_share(r))});
    if (p - a > worst_gap) worst_gap = p - a, worst = r["name"].get<std::string>();
    if (square_share(r) >= 0.05)
      ctx.report.warning(r["name"].get<std::string>() + ": Square broke " + report::format_percent(square_share(r)) +
                         " of the images that the gradient attacks left standing. Its gradients mislead the "
                         "attacks (gradient masking); trust its AutoAttack number, not its PGD number.");
  }
  ctx.report.table(t);
  ctx.report.takeaway(worst.empty() ? pgd + " found everything AutoAttack found here: no recipe's robustness was "
                                            "overestimated on these images."
                                    : pgd + " overestimated robust accuracy most for " + worst + ", by " +
                                          report::format_fixed(100 * worst_gap, 1) +
                                          " points; read every PGD column of this report as an upper bound.");
}

}  // namespace advgrad::workshop
