#include <iostream>
#include <sstream>
#include <nlohmann/json.hpp>

#include "advgrad/workshop/gradient_demo.h"
#include "commands.h"

namespace advgrad::cli {

Command add_demo(CLI::App& app, Common& common) {
  auto* cmd = app.add_subcommand("demo", "fit a tiny MLP on generated bars, then show dLoss/dImage and one FGSM step");
  auto opts = std::make_shared<workshop::GradientDemoOptions>();
  auto quick = std::make_shared<bool>(false);
  cmd->add_option("--seed", opts->seed, "random seed")->check(non_negative());
  cmd->add_option("--steps", opts->steps, "SGD steps")->check(CLI::Range(1, 1000000));
  cmd->add_option("--eps", opts->fgsm_eps, "FGSM step in pixel space")->check(CLI::Range(0.0, 1.0));
  cmd->add_flag("--quick", *quick, "a few steps only (smoke test)");
  cmd->add_flag("--json", common.json, "print the results as JSON");
  return {cmd, [opts, quick, &common] {
    if (*quick) opts->steps = std::min(opts->steps, 50);
    std::ostringstream sink;
    auto r = workshop::run_gradient_demo(*opts, common.json ? static_cast<std::ostream&>(sink) : std::cout);
    if (common.json)
      std::cout << nlohmann::json{{"test_accuracy", r.test_accuracy},   {"adversarial_accuracy", r.adversarial_accuracy},
                                  {"clean_loss", r.clean_loss},         {"adversarial_loss", r.adversarial_loss},
                                  {"max_fd_error", r.max_fd_error},     {"loss_curve", r.loss_curve}}
                       .dump(2)
                << "\n";
    return 0;
  }};
}

}  // namespace advgrad::cli
