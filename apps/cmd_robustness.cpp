// advgrad robustness: accuracy under an attack as eps grows, for one or more
// saved models. Writes robustness.csv, robustness.json and the curve
// robustness.svg/.png to --out DIR; --diagnose adds the gradient-masking checks.
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "advgrad/eval/robust_eval.h"
#include "advgrad/io/atomic_file.h"
#include "advgrad/io/output_dir.h"
#include "advgrad/nn/model_io.h"
#include "advgrad/nn/safetensors.h"
#include "advgrad/report/line_chart.h"
#include "commands.h"
#include "progress_bar.h"

namespace advgrad::cli {
namespace {

struct RobustnessFlags {
  DataFlags data;
  AttackFlags attack;
  std::vector<std::string> models;
  std::string sweep = "0:0.3:0.05", out = "robustness";
  std::uint64_t seed = 0;
  bool diagnose = false;
};

int run_robustness(const RobustnessFlags& f, Common& common) {
  ADVGRAD_CHECK(f.attack.step_size == 0, "robustness: --step-size is one eps's step; in a sweep the step follows "
                "eps (drop --step-size, or use advgrad attack)");
  const std::vector<double> eps = eval::parse_eps_sweep(f.sweep);
  const attacks::AttackOptions o = f.attack.options(eps.back());
  io::make_output_dir(f.out);  // before the work: a bad --out is refused at once
  // The step follows eps: the fraction the method's defaults give.
  const double step_fraction = eps.back() > 0 ? o.step_size / eps.back() : 1.0;
  const std::string name = f.attack.describe(o);
  const data::Dataset test = f.data.load(f.seed).test;

  std::vector<report::ChartSeries> series;
  nlohmann::json runs = nlohmann::json::array();
  std::ostringstream csv;
  csv << "model,eps,clean_accuracy,robust_accuracy,success_rate,mean_loss,count,seconds\n";
  for (const auto& path : f.models) {
    nn::LoadedModel m = nn::load_model(path);
    check_model_fits(m, test, "robustness");
    m.model->to(common.device);
    const std::string label = std::filesystem::path(path).stem().string();
    ProgressBar bar("robustness " + label);
    const auto sweep = eval::eps_sweep(*m.model, test, o, eps, step_fraction, f.seed, 0, bar.callback());
    report::ChartSeries s{label, {}, {}};
    std::istringstream rows(eval::sweep_to_csv(sweep));
    std::string line;
    std::getline(rows, line);  // header
    while (std::getline(rows, line)) csv << label << ',' << line << '\n';
    nlohmann::json run{{"model", path}, {"sweep", nlohmann::json::parse(eval::sweep_to_json(sweep, name))}};
    for (const auto& r : sweep) {
      s.x.push_back(r.eps);
      s.y.push_back(r.robust_accuracy);
    }
    if (f.diagnose) {
      const auto d = eval::masking_diagnostics(*m.model, test, eps.back() > 0 ? eps.back() : 0.1, f.seed);
      run["masking"] = {{"fgsm_accuracy", d.fgsm_accuracy},
                        {"pgd_accuracy", d.pgd_accuracy},
                        {"noise_accuracy", d.noise_accuracy},
                        {"warnings", d.warnings}};
    }
    series.push_back(std::move(s));
    runs.push_back(std::move(run));
  }
  const auto file = [&](const char* n) { return (std::filesystem::path(f.out) / n).string(); };
  report::ChartOptions co;
  co.title = name.substr(0, name.find(" eps")) + " on " + test.name;
  co.x_label = "eps (pixel units)";
  co.y_label = "robust accuracy";
  report::write_figure(report::line_chart(series, co), f.out, "robustness");
  io::write_file_atomically(file("robustness.csv"), csv.str());
  nlohmann::json j{{"data", test.name}, {"attack", name}, {"step_fraction", step_fraction}, {"runs", runs},
                   {"files", {file("robustness.csv"), file("robustness.json"), file("robustness.svg"), file("robustness.png")}}};
  io::write_file_atomically(file("robustness.json"), j.dump(2) + "\n");
  if (common.json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << name.substr(0, name.find(" eps")) << " on " << test.name << " (" << test.size()
            << " test images), robust accuracy:\n  eps     ";
  for (double e : eps) std::cout << std::setw(7) << e;
  std::cout << std::fixed << std::setprecision(1) << "\n";
  for (std::size_t i = 0; i < series.size(); ++i) {
    std::cout << "  " << std::left << std::setw(8) << series[i].name.substr(0, 8) << std::right;
    for (double v : series[i].y) std::cout << std::setw(6) << 100 * v << "%";
    std::cout << "\n";
    if (!f.diagnose) continue;
    const auto& d = runs[i]["masking"];
    std::cout << "  masking check at eps " << eps.back() << ": FGSM " << 100 * d["fgsm_accuracy"].get<double>()
              << "%, PGD-20 " << 100 * d["pgd_accuracy"].get<double>() << "%, uniform noise "
              << 100 * d["noise_accuracy"].get<double>() << "%"
              << (d["warnings"].empty() ? ": no sign of gradient masking" : "") << "\n";
    for (const auto& w : d["warnings"]) std::cout << "  warning: " << w.get<std::string>() << "\n";
  }
  std::cout << "wrote " << file("robustness.csv") << ", robustness.json, robustness.svg, robustness.png\n";
  return 0;
}

}  // namespace

Command add_robustness(CLI::App& app, Common& common) {
  auto* cmd = app.add_subcommand("robustness", "robust accuracy over an eps sweep (CSV, JSON and a curve)");
  auto f = std::make_shared<RobustnessFlags>();
  cmd->add_option("--model", f->models, "model file(s); repeat the flag to compare models on one curve")->required();
  f->data.add_to(cmd);
  cmd->add_option("--eps-sweep", f->sweep, "START:STOP:STEP in pixel units");
  f->attack.add_to(cmd);
  // The name the robustness literature uses for the standard ensemble.
  cmd->add_option_function<std::string>(
         "--suite", [f](const std::string&) { f->attack.method = "autoattack"; },
         "autoattack: the standard AutoAttack ensemble (APGD-CE, APGD-T, Square), the same as --method autoattack")
      ->check(CLI::IsMember({"autoattack"}))
      ->excludes("--method");
  cmd->add_option("--seed", f->seed, "seed of the attack's randomness (and of the synthetic data set)")->check(non_negative());
  cmd->add_option("--out", f->out, "output directory");
  cmd->add_flag("--diagnose", f->diagnose, "also run the gradient-masking diagnostics at the largest eps");
  cmd->add_flag("--json", common.json, "print the results as JSON");
  return {cmd, [f, &common] { return run_robustness(*f, common); }};
}

}  // namespace advgrad::cli
