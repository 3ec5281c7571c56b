#pragma once
// Subcommands of the advgrad CLI. Each registers its flags on the app and
// returns the function that runs it (after parsing). Thin wrappers: the work
// lives in the library.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "training/dataset.h"

namespace advgrad::cli {

using Runner = std::function<int()>;
struct Command {
  CLI::App* app;
  Runner run;
};

struct Common {
  bool json = false;
  int threads = 0;
};

// Adds --data, --data-dir, --limit to a subcommand (dir defaults to ADVGRAD_DATA_DIR).
struct DataFlags {
  std::string name = "synthetic";
  std::string dir;
  std::int64_t limit = 0;
  std::int64_t test_limit = 0;
  void add_to(CLI::App* cmd);
  // Loads the named set (resolving DIR/<name> when DIR holds several sets) and
  // applies the limits.
  training::Split load(std::uint64_t seed) const;
};

Command add_demo(CLI::App& app, Common& common);
Command add_train(CLI::App& app, Common& common);
Command add_eval(CLI::App& app, Common& common);


}  // namespace advgrad::cli
