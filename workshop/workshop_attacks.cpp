// The workshop's first half: train the baseline, attack it, look at its gradients.
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "advgrad/attacks/saliency.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/eval/robust_eval.h"
#include "advgrad/io/atomic_file.h"
#include "advgrad/nn/safetensors.h"
#include "advgrad/report/attack_grid.h"
#include "advgrad/report/figures.h"
#include "advgrad/report/line_chart.h"
#include "advgrad/workshop/workshop_parts.h"

namespace advgrad::workshop {
namespace {

using nlohmann::json;

std::string eps_label(double eps) { return report::format_fixed(eps, 3); }

struct NamedAttack {
  std::string name, stem, what;  // stem: the figure's files, <stem>.svg and <stem>.png
  attacks::AttackOptions options;
};

// The three attacks of the workshop at the budget's eps.
std::vector<NamedAttack> workshop_attacks(const ExperimentBudget& b) {
  attacks::AttackOptions fgsm;
  fgsm.eps = fgsm.step_size = b.eps;
  fgsm.steps = 1;
  attacks::AttackOptions pgd;
  pgd.eps = b.eps;
  pgd.steps = b.pgd_steps;
  pgd.step_size = 2.5 * b.eps / b.pgd_steps;
  pgd.random_start = true;
  attacks::AttackOptions targeted = pgd;
  targeted.targeted = true;
  targeted.target_mode = attacks::TargetMode::Random;  // a random wrong class per example
  const std::string k = std::to_string(b.pgd_steps);
  return {{"FGSM", "attack_fgsm", "one step of eps * sign(dLoss/dx)", fgsm},
          {"PGD-" + k, "attack_pgd", k + " projected sign steps from a random start", pgd},
          {"targeted PGD-" + k, "attack_targeted",
           "maximise loss(true) - loss(target) toward a random wrong class", targeted}};
}

}  // namespace

void baseline_part(WorkshopContext& ctx) {
  const auto& b = ctx.budget;
  const RobustRow row = recipe_stage(ctx.runner, "none", ctx.data, b, &ctx.baseline);
  ctx.comparison.push_back(row);
  ctx.report.heading("1. Baseline: a CNN trained the standard way");
  ctx.report.paragraph(b.arch + " trained for " + std::to_string(b.epochs) + " epoch(s) with Adam on " +
                       std::to_string(ctx.data.train.size()) + " images of " + ctx.data.train.name + ". It reaches " +
                       report::format_percent(row.clean) + " on the " + std::to_string(ctx.data.test.size()) +
                       " test images, and " + report::format_percent(row.pgd) +
                       " once PGD may move each pixel by eps = " + eps_label(b.eps) + ".");
  ctx.report.table(rows_table({row}, b, "The baseline (model file " + row.model_file + ")", true));
}

void attacks_part(WorkshopContext& ctx) {
  const auto& b = ctx.budget;
  const auto attacks_list = workshop_attacks(b);
  // The sweep: eps from 0 to twice the headline eps, quarter steps (the quick budget: its own few values).
  std::vector<double> eps{0.0};
  if (b.level == "quick") eps.insert(eps.end(), b.eps_values.begin(), b.eps_values.end());
  else
    for (int i = 1; i <= 8; ++i) eps.push_back(b.eps * i / 4);
  const std::string results = ctx.runner.run("attacks", [&](StageFiles& files) {
    json j{{"attacks", json::array()}};
    for (const auto& a : attacks_list) {
      const eval::RobustResult r =
          eval::robust_accuracy(*ctx.baseline, ctx.data.test, a.options, b.seed, 250, b.attack_examples);
      write_stage_figure(files,
                         report::attack_example_grid(*ctx.baseline, ctx.data.test, a.options, b.seed, 6,
                                                     a.name + " eps " + eps_label(b.eps) + " on the baseline"),
                         a.stem);
      ctx.runner.log() << "  " << a.name << ": accuracy " << report::format_percent(r.clean_accuracy) << " -> "
                       << report::format_percent(r.robust_accuracy) << ", success "
                       << report::format_percent(r.success_rate) << "\n";
      j["attacks"].push_back({{"name", a.name}, {"what", a.what}, {"figure", a.stem}, {"eps", a.options.eps},
                              {"clean", r.clean_accuracy}, {"robust", r.robust_accuracy},
                              {"success", r.success_rate}, {"seconds", r.seconds}, {"count", r.count}});
    }
    attacks::AttackOptions sweep = attacks_list[1].options;
    sweep.steps = b.sweep_steps;
    const auto fgsm =
        eval::eps_sweep(*ctx.baseline, ctx.data.test, attacks_list[0].options, eps, 1.0, b.seed, b.attack_examples);
    const auto pgd =
        eval::eps_sweep(*ctx.baseline, ctx.data.test, sweep, eps, 2.5 / b.sweep_steps, b.seed, b.attack_examples);
    std::vector<report::ChartSeries> series{{"FGSM", {}, {}}, {"PGD-" + std::to_string(b.sweep_steps), {}, {}}};
    std::string csv = "eps,fgsm_accuracy,pgd_accuracy\n";
    for (std::size_t i = 0; i < eps.size(); ++i) {
      series[0].x.push_back(eps[i]);
      series[0].y.push_back(fgsm[i].robust_accuracy);
      series[1].x.push_back(eps[i]);
      series[1].y.push_back(pgd[i].robust_accuracy);
      csv += std::to_string(eps[i]) + "," + std::to_string(fgsm[i].robust_accuracy) + "," +
             std::to_string(pgd[i].robust_accuracy) + "\n";
    }
    report::ChartOptions co;
    co.title = "Baseline accuracy under attack, " + ctx.data.test.name;
    co.x_label = "eps (pixel units)";
    co.y_label = "accuracy";
    write_stage_figure(files, report::line_chart(series, co), "eps_sweep");
    io::write_file_atomically(files.file("eps_sweep.csv"), csv);
    j["sweep"] = {{"eps", eps}, {"fgsm", series[0].y}, {"pgd", series[1].y}, {"pgd_steps", b.sweep_steps}};
    return j.dump();
  });
  const json j = json::parse(results);
  ctx.report.heading("2. Attacks: dLoss/dImage turned against the model");
  ctx.report.paragraph("Each attack moves every pixel by at most eps = " + eps_label(b.eps) +
                       " (L-infinity ball, pixel range [0, 1]) in the direction that increases the loss, computed by "
                       "autograd with respect to the image, not the weights. Attacked: the first " +
                       std::to_string(j["attacks"][0]["count"].get<std::int64_t>()) + " test images.");
  report::ReportTable t{
      "Accuracy of the baseline under attack", {"attack", "how", "eps", "clean", "attacked", "success"}, {}};
  for (const auto& a : j["attacks"])
    t.rows.push_back({a["name"].get<std::string>(), a["what"].get<std::string>(), eps_label(a["eps"].get<double>()),
                      report::format_percent(a["clean"].get<double>()),
                      report::format_percent(a["robust"].get<double>()),
                      report::format_percent(a["success"].get<double>())});
  ctx.report.table(t);
  ctx.report.paragraph("For the targeted attack, \"attacked\" is the fraction not pushed into its target class and "
                       "\"success\" the fraction that was.");
  for (const auto& a : attacks_list)
    ctx.report.figure(a.stem, a.name + ": clean | perturbation (blue -, red +, with its colour bar in pixel units) | "
                                       "adversarial, with the model's predictions");
  ctx.report.figure("eps_sweep", "Accuracy as eps grows: FGSM and PGD-" +
                                     std::to_string(j["sweep"]["pgd_steps"].get<int>()) + " (eps_sweep.csv)");
}

void saliency_part(WorkshopContext& ctx) {
  const auto& b = ctx.budget;
  const std::vector<std::pair<std::string, attacks::SaliencyMethod>> methods{
      {"gradient", attacks::SaliencyMethod::Gradient},
      {"SmoothGrad", attacks::SaliencyMethod::SmoothGrad},
      {"integrated gradients", attacks::SaliencyMethod::IntegratedGradients}};
  ctx.runner.run("saliency", [&](StageFiles& files) {
    const std::int64_t n = std::min<std::int64_t>(3, ctx.data.test.size());
    std::vector<Tensor> images, maps;
    std::vector<std::string> labels;
    for (std::int64_t i = 0; i < n; ++i) {
      Tensor x = ctx.data.test.images_tensor({i}), y = ctx.data.test.labels_tensor({i});
      for (const auto& [name, method] : methods) {
        attacks::SaliencyOptions so;
        so.method = method;
        so.samples = b.level == "quick" ? 4 : 25;
        Generator gen(b.seed);
        images.push_back(x);
        maps.push_back(attacks::saliency(*ctx.baseline, x, y, so, gen));
        // (a stream, not operator+ chains: GCC 12 misreports those under -O3 as -Wrestrict)
        std::ostringstream label;
        label << "#" << i << " (" << ctx.data.test.class_names.at(y.to_int_vector()[0]) << "): " << name;
        labels.push_back(label.str());
      }
    }
    report::SaliencyFigureOptions fo;
    fo.title = "Where the baseline looks: d logit(true class) / d image";
    write_stage_figure(files, report::saliency_figure(cat(images, 0), cat(maps, 0), labels, fo), "saliency");
    return json{{"figure", "saliency"}, {"rows", labels}}.dump();
  });
  ctx.report.heading("3. Saliency: where the gradient looks");
  ctx.report.paragraph("The same input gradient that drives the attacks, read as an explanation: the raw gradient "
                       "of the true class's logit, SmoothGrad (the mean gradient over noisy copies) and integrated "
                       "gradients (along the path from a black image). Each row: image | heat map | overlay.");
  ctx.report.figure("saliency", "Saliency maps of the first test images");
}

void optimizers_part(WorkshopContext& ctx) {
  const auto rows = optimizer_experiment(ctx.runner, ctx.data, ctx.budget);
  ctx.report.heading("10. Optimizer susceptibility");
  ctx.report.paragraph("The same " + ctx.budget.arch + " trained with six optimizers for the same budget (" +
                       std::to_string(ctx.budget.epochs) + " epochs, same data order and initial weights). Clean "
                       "accuracy alone does not tell how robust each model is. Also: `advgrad experiment "
                       "optimizers`.");
  ctx.report.table(rows_table(rows, ctx.budget, "Accuracy by optimizer (optimizers.csv)", true));
  ctx.report.figure("optimizers", "PGD accuracy against eps, one curve per optimizer");
}

void comparison_part(WorkshopContext& ctx) {
  rows_stage(ctx.runner, "comparison", ctx.comparison, ctx.budget, "Robustness by recipe on " + ctx.data.test.name);
  ctx.report.heading("11. Comparison of the recipes");
  ctx.report.paragraph("Clean accuracy on the whole test split; FGSM and PGD-" + std::to_string(ctx.budget.pgd_steps) +
                       " (random start, step 2.5 eps / steps) at eps = " + eps_label(ctx.budget.eps) + " on the first " +
                       std::to_string(ctx.budget.attack_examples) + " test images; training wall time.");
  report::ReportTable t = rows_table(ctx.comparison, ctx.budget, "Recipes compared (comparison.csv)", false);
  t.header[0] = "recipe";
  ctx.report.table(t);
  ctx.report.figure("comparison", "PGD accuracy against eps, one curve per recipe");
}

}  // namespace advgrad::workshop
