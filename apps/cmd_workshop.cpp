// advgrad workshop: the main job. Trains, attacks, explains and defends a CNN
// and writes one directory with report.html, report.md, results.json, the
// figures and the models (the work is workshop::run_workshop).
#include <iostream>
#include <nlohmann/json.hpp>

#include "advgrad/workshop/workshop.h"
#include "commands.h"

namespace advgrad::cli {

Command add_workshop(CLI::App& app, Common& common) {
  auto* cmd = app.add_subcommand("workshop", "the whole workshop end to end: train, attack, saliency, defences, "
                                             "comparison; writes report.html and friends");
  struct Flags {
    DataFlags data;
    workshop::WorkshopOptions options;
    bool quick = false, full = false;
  };
  auto f = std::make_shared<Flags>();
  f->data.add_to(cmd);
  auto* quick = cmd->add_flag("--quick", f->quick, "the smoke-test budget (well under a minute)");
  cmd->add_flag("--full", f->full, "the full budget (whole real data sets, 10 epochs)")->excludes(quick);
  cmd->add_option("--out", f->options.out, "output directory");
  cmd->add_flag("--resume", f->options.resume, "skip the stages a previous run into --out completed");
  cmd->add_option("--seed", f->options.seed, "seed (weights, data order, attacks, synthetic data)")->check(non_negative());
  cmd->add_flag("--json", common.json, "print a JSON summary on stdout (the log goes to stderr)");
  return {cmd, [f, &common] {
    f->options.budget = f->quick ? "quick" : f->full ? "full" : "default";
    f->options.command = common.command_line;
    std::ostream& log = common.json ? std::cerr : std::cout;
    const data::Split data = f->data.load(f->options.seed);
    const workshop::WorkshopSummary s = workshop::run_workshop(data, f->options, log);
    if (common.json) {
      nlohmann::json rows = nlohmann::json::array();
      for (const auto& r : s.comparison)
        rows.push_back({{"recipe", r.name}, {"clean", r.clean}, {"fgsm", r.fgsm}, {"pgd", r.pgd},
                        {"train_seconds", r.train_seconds}});
      std::cout << nlohmann::json{{"out", f->options.out}, {"stages_run", s.stages_run},
                                  {"stages_skipped", s.stages_skipped}, {"comparison", rows},
                                  {"files", s.files}, {"seconds", s.seconds},
                                  {"stage_seconds", s.stage_seconds}}
                       .dump(2)
                << "\n";
    }
    return 0;
  }};
}

}  // namespace advgrad::cli
