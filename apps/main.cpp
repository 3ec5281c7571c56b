// The advgrad command line. Thin: each subcommand parses flags and calls the library.
#include <CLI/CLI.hpp>

#include <iostream>

#include "advgrad.h"
#include "training/gradient_demo.h"

int main(int argc, char** argv) {
  CLI::App app{"advgrad: tensors, autograd, and gradients with respect to the input"};
  app.require_subcommand(1);
  int threads = 0;
  app.add_option("--threads", threads, "CPU threads (default: ADVGRAD_NUM_THREADS or all cores)")
      ->check(CLI::Range(1, 1024));

  advgrad::training::GradientDemoOptions demo;
  bool quick = false;
  auto* demo_cmd = app.add_subcommand("demo", "fit a tiny MLP on generated bars, then show dLoss/dImage and FGSM");
  demo_cmd->add_option("--seed", demo.seed, "random seed");
  demo_cmd->add_option("--steps", demo.steps, "SGD steps")->check(CLI::Range(1, 1000000));
  demo_cmd->add_option("--eps", demo.fgsm_eps, "FGSM step in pixel space")->check(CLI::Range(0.0, 1.0));
  demo_cmd->add_flag("--quick", quick, "a few steps only (smoke test)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (threads > 0) advgrad::set_num_threads(threads);
    if (*demo_cmd) {
      if (quick) demo.steps = std::min(demo.steps, 50);
      advgrad::training::run_gradient_demo(demo, std::cout);
    }
  } catch (const advgrad::Error& e) {
    std::cerr << "advgrad: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
