#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "advgrad/nn/model_io.h"
#include "advgrad/training/trainer.h"
#include "commands.h"

namespace advgrad::cli {

Command add_eval(CLI::App& app, Common& common) {
  auto* cmd = app.add_subcommand("eval", "accuracy and confusion matrix of a saved model");
  struct Flags {
    DataFlags data;
    std::string model;
    std::uint64_t seed = 0;
  };
  auto f = std::make_shared<Flags>();
  cmd->add_option("--model", f->model, "model file (safetensors written by advgrad train)")->required();
  f->data.add_to(cmd);
  // DataFlags describes --limit for training; eval reads only the test split.
  cmd->get_option("--limit")->description("not used by eval, which reads only the test split (see --test-limit)");
  cmd->add_option("--seed", f->seed, "seed of the synthetic data set")->check(non_negative());
  cmd->add_flag("--json", common.json, "print the results as JSON");
  return {cmd, [f, &common] {
    nn::LoadedModel m = nn::load_model(f->model);
    data::Split data = f->data.load(f->seed);
    const auto& t = data.test;
    check_model_fits(m, t, "eval");
    m.model->to(common.device);
    const eval::EvalResult r = eval::evaluate(*m.model, t);
    if (common.json) {
      std::cout << nlohmann::json{{"model", f->model}, {"data", t.name},        {"count", r.count},
                                  {"accuracy", r.accuracy}, {"loss", r.loss}, {"confusion", r.confusion}}
                       .dump(2)
                << "\n";
      return 0;
    }
    std::cout << m.config.arch << " on " << t.name << " test (" << r.count << " images): accuracy " << std::fixed
              << std::setprecision(2) << 100 * r.accuracy << "%, loss " << std::setprecision(4) << r.loss << "\n";
    std::cout << "confusion matrix (rows: true class, columns: predicted):\n      ";
    for (std::int64_t j = 0; j < t.classes; ++j) std::cout << std::setw(6) << j;
    std::cout << "\n";
    for (std::int64_t i = 0; i < t.classes; ++i) {
      std::cout << std::setw(6) << i;
      for (std::int64_t j = 0; j < t.classes; ++j) std::cout << std::setw(6) << r.confusion[i][j];
      const std::string name = i < static_cast<std::int64_t>(t.class_names.size()) ? t.class_names[i] : "";
      std::cout << "  " << name << "\n";
    }
    return 0;
  }};
}

}  // namespace advgrad::cli
