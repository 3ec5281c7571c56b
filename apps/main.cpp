// The advgrad command line. Thin: each subcommand parses flags and calls the library.
#include <iostream>
#include <string>
#include <vector>

#include "advgrad/advgrad.h"
#include "commands.h"

namespace {

// An argument as a POSIX shell reads it back: bare when it is plain, else in
// single quotes (with ' written as '\'').
std::string shell_quoted(const std::string& arg) {
  const bool plain = !arg.empty() && arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                            "0123456789-_./=:,+@%") == std::string::npos;
  if (plain) return arg;
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"advgrad: tensors, autograd, and gradients with respect to the input"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "advgrad 0.1.0");
  advgrad::cli::Common common;
  common.command_line = "advgrad";
  for (int i = 1; i < argc; ++i) common.command_line += " " + shell_quoted(argv[i]);
  app.add_option("--threads", common.threads, "CPU threads (default: ADVGRAD_NUM_THREADS or all cores)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--device", common.device_name,
                 "where train, eval, attack and robustness run their model: cpu (default) or cuda[:N]");
  const std::vector<advgrad::cli::Command> commands{
      advgrad::cli::add_demo(app, common),       advgrad::cli::add_train(app, common),
      advgrad::cli::add_eval(app, common),       advgrad::cli::add_attack(app, common),
      advgrad::cli::add_robustness(app, common), advgrad::cli::add_saliency(app, common),
      advgrad::cli::add_workshop(app, common),   advgrad::cli::add_experiment(app, common),
      advgrad::cli::add_convert(app, common),    advgrad::cli::add_classify(app, common),
      advgrad::cli::add_photos(app, common)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (common.threads > 0) advgrad::set_num_threads(common.threads);
    common.resolve_device();
    for (const auto& command : commands)
      if (*command.app) return command.run();
  } catch (const advgrad::Error& e) {
    std::cerr << "advgrad: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "advgrad: unexpected error: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
