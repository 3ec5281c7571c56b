#include "advgrad/workshop/workshop.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

#include "advgrad/core/error.h"
#include "advgrad/io/atomic_file.h"
#include "advgrad/nn/safetensors.h"
#include "advgrad/workshop/workshop_parts.h"

namespace advgrad::workshop {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string describe_budget(const ExperimentBudget& b, const data::Split& data) {
  return "Budget '" + b.level + "': " + std::to_string(data.train.size()) + " training and " +
         std::to_string(data.test.size()) + " test images of " + data.train.name + ", " + b.arch + ", " +
         std::to_string(b.epochs) + " epoch(s) of batch " + std::to_string(b.batch_size) + "; attacks at eps " +
         report::format_fixed(b.eps, 3) + " on " + std::to_string(b.attack_examples) + " test images, PGD-" +
         std::to_string(b.pgd_steps) + " for the headline numbers, PGD-" + std::to_string(b.sweep_steps) +
         " in the sweeps, PGD-" + std::to_string(b.at_steps) + " inside adversarial training; seed " +
         std::to_string(b.seed) + ".";
}

// The command that reproduces this run.
std::string command_line(const WorkshopOptions& o, const ExperimentBudget& b) {
  if (!o.command.empty()) return o.command;
  std::string c = "advgrad workshop";
  if (b.level != "default") c += " --" + b.level;
  if (o.seed != 0) c += " --seed " + std::to_string(o.seed);
  return c + " --out " + o.out;
}

// Training images the budget leaves out, as many as it trains on (Noisy
// Student's unlabelled set); none when the budget takes them all.
data::Dataset unlabelled_pool(const data::Split& full, const ExperimentBudget& b) {
  std::vector<std::int64_t> idx;
  if (b.train_size > 0)
    for (std::int64_t i = b.train_size; i < std::min(full.train.size(), 2 * b.train_size); ++i) idx.push_back(i);
  return full.train.select(idx);
}

// Every regular file under `dir` (relative paths, sorted), for the summary.
std::vector<std::string> list_files(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) names.insert(fs::relative(e.path(), dir).string());
  return {names.begin(), names.end()};
}

void write_introduction(report::Report& report, const WorkshopOptions& options, const ExperimentBudget& budget,
                        const data::Split& data) {
  report.paragraph("A CNN is trained, attacked with its own input gradients, explained with them, and defended; "
                   "every number below was measured by this run:");
  report.preformatted(command_line(options, budget));
  report.paragraph(describe_budget(budget, data));
  report.paragraph("Every accuracy comes with its 95% interval (Wilson's, from the number of images it was measured "
                   "on): the range the accuracy on the whole distribution plausibly lies in. The text calls one "
                   "number higher than another only when their intervals do not overlap.");
  report.toc();
}

// The story, in order (workshop_parts.h): each part runs its stages and
// writes its section of the report.
void run_parts(WorkshopContext& ctx) {
  for (const auto part : {baseline_part, attacks_part, targeted_part, saliency_part, static_fgsm_part, online_part,
                          robust_view_part, nsl_part, advprop_part, activations_part, natural_robustness_part,
                          noisy_student_part, optimizers_part, comparison_part, autoattack_part, pretrained_part})
    part(ctx);
}

// Which stages ran and which were reused, and all their times.
WorkshopSummary summarise(const StageRunner& runner) {
  WorkshopSummary summary;
  for (const auto& name : runner.order()) {
    (runner.skipped(name) ? summary.stages_skipped : summary.stages_run).push_back(name);
    summary.stage_seconds += runner.seconds(name);
  }
  return summary;
}

void write_closing(report::Report& report, const WorkshopSummary& summary) {
  if (!summary.stages_skipped.empty())
    report.paragraph("Resumed run: " + std::to_string(summary.stages_skipped.size()) +
                     " stage(s) were completed earlier and reloaded from stages/*.json and their model files. "
                     "With their recorded times, the stages took " +
                     report::format_fixed(summary.stage_seconds, 0) + " s in all.");
  report.heading("Files");
  report.paragraph("results.json holds every stage's numbers; stages/<stage>.json each stage's record (what "
                   "--resume reads); *.safetensors the trained models (advgrad eval/attack/saliency --model FILE); "
                   "*.csv the tables; *.svg and *.png the figures (the SVGs are inlined above); report.md the same "
                   "report with links to the PNG files.");
}

// results.json: the run's data and budget, every stage's record and time, and the comparison.
json results_json(const StageRunner& runner, const WorkshopContext& ctx, const WorkshopSummary& summary) {
  json stages = json::object(), stage_seconds = json::object();
  for (const auto& name : runner.order()) {
    stages[name] = json::parse(runner.results(name));
    stage_seconds[name] = runner.seconds(name);
  }
  json comparison = json::array();
  for (const auto& r : ctx.comparison) comparison.push_back(json::parse(row_to_json(r)));
  return {{"data", ctx.data.train.name},
          {"train_size", ctx.data.train.size()},
          {"test_size", ctx.data.test.size()},
          {"budget", json::parse(budget_to_json(ctx.budget))},
          {"stages_run", summary.stages_run},
          {"stages_skipped", summary.stages_skipped},
          {"comparison", comparison},
          {"stage_seconds", stage_seconds},
          {"stage_seconds_total", summary.stage_seconds},
          {"stages", stages}};
}

}  // namespace

WorkshopSummary run_workshop(const data::Split& full, const WorkshopOptions& options, std::ostream& log) {
  const auto start = std::chrono::steady_clock::now();
  ExperimentBudget budget = make_budget(options.budget, full.train);
  budget.seed = options.seed;
  const data::Split data = budget_split(full, budget);
  log << "advgrad workshop: " << describe_budget(budget, data) << "\n"
      << "writing to " << options.out << (options.resume ? " (resuming)" : "") << "\n";
  StageRunner runner(options.out, options.resume, log, stage_context(budget, data));
  report::Report report("advgrad workshop: gradients with respect to the input");
  write_introduction(report, options, budget, data);
  const data::Dataset unlabelled = unlabelled_pool(full, budget);
  WorkshopContext ctx{runner, report, data, budget, unlabelled, nullptr, {}};
  run_parts(ctx);

  WorkshopSummary summary = summarise(runner);
  write_closing(report, summary);
  io::write_file_atomically(runner.path("results.json"), results_json(runner, ctx, summary).dump(2) + "\n");
  report::write_report(report, options.out);
  summary.comparison = ctx.comparison;
  summary.files = list_files(options.out);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  log << "workshop done in " << report::format_fixed(summary.seconds, 1) << " s: " << summary.stages_run.size()
      << " stage(s) run, " << summary.stages_skipped.size() << " skipped";
  if (!summary.stages_skipped.empty())
    log << " (all stages, with the skipped ones' recorded times: " << report::format_fixed(summary.stage_seconds, 1)
        << " s)";
  log << "; open " << (fs::path(options.out) / "report.html").string() << "\n";
  return summary;
}

}  // namespace advgrad::workshop
