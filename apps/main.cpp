// The advgrad command line. Thin: each subcommand parses flags and calls the library.
//
// Exit codes (README "Exit codes"): 0 success; 1 a usage error (a bad flag or
// value, a missing one, an unknown command) or a runtime error (a missing or
// corrupt file, a full disk): one line on stderr, "advgrad[ <command>]: ...";
// 2 an internal error (a bug: one line, "advgrad: internal error: ..."); 130
// a training run stopped by Ctrl-C after saving its checkpoint (train --help).
#include <signal.h>

#include <filesystem>
#include <iostream>
#include <new>
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

// One line: CLI11's messages and a few system ones may hold newlines.
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// The first argument that is not a global flag or its value: the command the
// user meant, when CLI11 found none it knows.
std::string first_command_word(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--threads" || a == "--device") {
      ++i;
      continue;
    }
    if (!a.empty() && a[0] != '-') return a;
  }
  return "";
}

// A usage error in the user's terms, naming the flag; `where` is "advgrad" or
// "advgrad <command>".
std::string usage_message(const CLI::ParseError& e, const CLI::App& app, const CLI::App* command,
                          const std::vector<advgrad::cli::Command>& commands, const std::string& word) {
  const std::string msg = one_line(e.what());
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    std::vector<std::string> extras = (command != nullptr ? command : &app)->remaining();
    std::string list;
    for (const auto& x : extras) list += (list.empty() ? "" : " ") + shell_quoted(x);
    if (list.empty()) return msg;
    const bool flag = !extras.empty() && extras[0].rfind("-", 0) == 0;
    return std::string(flag ? "unknown flag" : "unexpected argument") + (extras.size() > 1 ? "s " : " ") + list +
           " (--help lists the flags)";
  }
  if (command == nullptr && msg.find("subcommand is required") != std::string::npos) {
    std::string names;
    for (const auto& c : commands) names += (names.empty() ? "" : ", ") + c.app->get_name();
    if (word.empty()) return "no command given; the commands are " + names;
    return "unknown command '" + word + "'; the commands are " + names;
  }
  // "Could not convert: --seed = abc"
  const std::string convert = "Could not convert: ";
  if (msg.rfind(convert, 0) == 0) {
    const auto eq = msg.find(" = ");
    if (eq != std::string::npos)
      return msg.substr(convert.size(), eq - convert.size()) + ": '" + msg.substr(eq + 3) + "' is not a valid value";
  }
  // "--epochs: 1 required INT:INT in [1 - 100000] missing"
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr && msg.find(" missing") != std::string::npos) {
    const auto colon = msg.find(':');
    if (colon != std::string::npos) return msg.substr(0, colon) + " needs a value";
  }
  return msg;
}

}  // namespace

namespace advgrad::cli {

int command_line(int argc, char** argv, bool execute) {
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
  // Past a file-size limit (ulimit -f) a write fails with EFBIG, which
  // io::write_file_atomically reports, instead of the signal ending the process.
  if (execute) ::signal(SIGXFSZ, SIG_IGN);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    const CLI::App* command = nullptr;
    for (const auto& c : commands)
      if (c.app->parsed()) command = c.app;
    const std::string where = command != nullptr ? "advgrad " + command->get_name() : "advgrad";
    std::cerr << where << ": " << usage_message(e, app, command, commands, first_command_word(argc, argv)) << "\n";
    return 1;
  }
  if (!execute) return 0;
  try {
    if (common.threads > 0) advgrad::set_num_threads(common.threads);
    common.resolve_device();
    for (const auto& command : commands)
      if (*command.app) return command.run();
  } catch (const advgrad::Error& e) {
    std::cerr << "advgrad: " << one_line(e.what()) << "\n";
    return 1;
  } catch (const std::filesystem::filesystem_error& e) {
    // e.g. --out /proc/x: std::filesystem::create_directories in a command.
    std::cerr << "advgrad: cannot use '" << e.path1().string() << "': " << e.code().message() << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "advgrad: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "advgrad: internal error: " << one_line(e.what()) << "\n";
    return 2;
  }
  return 0;
}

}  // namespace advgrad::cli

#ifndef ADVGRAD_CLI_NO_MAIN  // defined by the CLI fuzz harness (fuzz/), which has its own main
int main(int argc, char** argv) { return advgrad::cli::command_line(argc, argv, true); }
#endif
