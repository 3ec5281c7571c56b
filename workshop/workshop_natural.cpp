// The workshop's natural-robustness part: the baseline (and the PGD-trained
// model, when that stage ran) under common corruptions, and the test images the
// baseline gets confidently wrong without any attack.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "advgrad/eval/corruptions.h"
#include "advgrad/eval/interval.h"
#include "advgrad/eval/natural_adversarial.h"
#include "advgrad/io/atomic_file.h"
#include "advgrad/nn/model_io.h"
#include "advgrad/nn/safetensors.h"
#include "advgrad/report/line_chart.h"
#include "advgrad/report/natural_adversarial_grid.h"
#include "advgrad/workshop/report_text.h"
#include "advgrad/workshop/workshop_parts.h"

namespace advgrad::workshop {

namespace {

using nlohmann::json;

// One row per model and corruption (a column per severity) and a row of the
// pooled mean per model; `worst_mean` gets each model's mean at the highest severity.
report::ReportTable corruption_table(const json& j, std::int64_t n, std::vector<Measured>& worst_mean) {
  report::ReportTable t{"Accuracy under corruption (corruptions.csv), with 95% intervals", {"model", "corruption"}, {}};
  for (int sev : j["severities"]) t.header.push_back("severity " + std::to_string(sev));
  for (const auto& m : j["models"]) {
    std::vector<std::string> mean_row{m["name"].get<std::string>(), "mean"};
    for (const auto& corruption : j["corruptions"]) {
      std::vector<std::string> row{m["name"].get<std::string>(), corruption.get<std::string>()};
      for (const auto& r : m["results"])
        if (r["corruption"] == corruption) row.push_back(accuracy_text(r["accuracy"].get<double>(), n));
      t.rows.push_back(row);
    }
    for (int sev : j["severities"]) {
      double sum = 0;
      int k = 0;
      for (const auto& r : m["results"])
        if (r["severity"].get<int>() == sev) sum += r["accuracy"].get<double>(), ++k;
      const double mean = k ? sum / k : 0;
      mean_row.push_back(accuracy_text(mean, k * n));
      if (sev == j["severities"].back().get<int>())
        worst_mean.push_back({m["name"].get<std::string>() + " at severity " + std::to_string(sev), mean, k * n});
    }
    t.rows.push_back(mean_row);
  }
  return t;
}

// One model under every corruption and severity: its results in `j` and the
// CSV, and its curve (mean over the corruptions per severity, pooled 95% band).
report::ChartSeries corruption_curve(WorkshopContext& ctx, const std::string& name, nn::Module& model,
                                     const std::vector<int>& severities, json& j, std::string& csv) {
  const auto r = eval::corruption_accuracy(model, ctx.data.test, eval::corruption_names(), severities, ctx.budget.seed);
  report::ChartSeries s{name, {}, {}, {}, {}};
  const double corruptions = static_cast<double>(eval::corruption_names().size());
  for (int sev : severities) {
    double sum = 0;
    for (const auto& c : r) sum += c.severity == sev ? c.accuracy : 0;
    s.x.push_back(sev);
    s.y.push_back(sum / corruptions);
    // Pooled over the corruptions: their images are counted together.
    const eval::Interval ci =
        eval::accuracy_interval(s.y.back(), static_cast<std::int64_t>(corruptions) * ctx.data.test.size());
    s.y_lo.push_back(ci.lo);
    s.y_hi.push_back(ci.hi);
  }
  for (const auto& c : r)
    csv += name + "," + c.corruption + "," + std::to_string(c.severity) + "," + std::to_string(c.accuracy) + "\n";
  j["models"].push_back({{"name", name},
                         {"mean", eval::mean_corruption_accuracy(r)},
                         {"results", json::parse(eval::corruption_results_to_json(r))}});
  ctx.runner.log() << "  " << name << ": mean accuracy under corruptions "
                   << report::format_percent(eval::mean_corruption_accuracy(r)) << "\n";
  return s;
}

// The baseline and, if trained, PGD adversarial training under the
// corruptions; and the baseline's confidently wrong test images.
std::string run_natural_robustness(WorkshopContext& ctx) {
  const std::vector<int> severities{1, 3, 5};
  return ctx.runner.run("natural-robustness", [&](StageFiles& files) {
    std::vector<std::pair<std::string, nn::ModulePtr>> models{{"baseline", ctx.baseline}};
    const std::string pgd_file = ctx.runner.path(recipe_stage_name("pgd-at") + ".safetensors");
    if (std::filesystem::exists(pgd_file)) models.emplace_back("pgd-at", nn::load_model(pgd_file).model);
    json j{{"severities", severities},
           {"corruptions", eval::corruption_names()},
           {"models", json::array()},
           {"count", ctx.data.test.size()}};
    std::string csv = "model,corruption,severity,accuracy\n";
    std::vector<report::ChartSeries> series;
    for (const auto& [name, model] : models) series.push_back(corruption_curve(ctx, name, *model, severities, j, csv));
    report::ChartOptions co;
    co.title = "Mean accuracy under common corruptions, " + ctx.data.test.name;
    co.x_label = "severity; bands: 95% intervals";
    co.y_label = "accuracy";
    write_stage_figure(files, report::line_chart(series, co), "corruptions");
    io::write_file_atomically(files.file("corruptions.csv"), csv);
    const auto found = eval::mine_natural_adversarials(*ctx.baseline, ctx.data.test, 0.9, 12);
    report::NaturalAdversarialGridOptions go;
    go.title = "Confidently wrong without an attack (confidence >= 90%)";
    write_stage_figure(files, report::natural_adversarial_grid(ctx.data.test, found, go), "natural_adversarials");
    j["natural_adversarials"] = static_cast<std::int64_t>(found.size());
    return j.dump();
  });
}

void report_natural_robustness(WorkshopContext& ctx, const json& j) {
  const std::int64_t n = j["count"].get<std::int64_t>();
  ctx.report.heading("11. Natural robustness: no attacker needed");
  ctx.report.paragraph("Accuracy on the " + std::to_string(n) + " test images under five common corruptions "
                       "(Gaussian noise, blur, contrast, rotation, shift; docs/natural-robustness.md gives each "
                       "severity's parameter), and the test images the baseline misclassifies with at least 90% "
                       "confidence as they are. The means pool the five corruptions' images.");
  std::vector<Measured> worst_mean;  // each model's mean at the highest severity
  ctx.report.table(corruption_table(j, n, worst_mean));
  ctx.report.figure("corruptions", "Mean accuracy over the five corruptions against severity");
  const std::int64_t found = j["natural_adversarials"].get<std::int64_t>();
  ctx.report.figure("natural_adversarials",
                    std::to_string(found) + " natural adversarial examples of the baseline (at most 12 shown)");
  std::string text = std::to_string(found) + (found == 12 ? " or more" : "") +
                     " of the test images fool the baseline with at least 90% confidence and no attack at all.";
  if (worst_mean.size() >= 2) text += " Under corruptions: " + compare_text(worst_mean[1], worst_mean[0]) + ".";
  ctx.report.takeaway(text);
}

}  // namespace

void natural_robustness_part(WorkshopContext& ctx) {
  report_natural_robustness(ctx, nlohmann::json::parse(run_natural_robustness(ctx)));
}

}  // namespace advgrad::workshop
