// libFuzzer harness: the advgrad command line's parsing (apps/main.cpp with
// every subcommand's flags, CLI11, advgrad's usage messages), without running
// a command. The input is the argument list, split at NUL bytes.
#include <string>
#include <vector>

#include "../apps/commands.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args{"advgrad"};
  std::string current;
  for (std::size_t i = 0; i < size && args.size() < 64; ++i) {
    if (data[i] == 0) {
      args.push_back(current);
      current.clear();
    } else {
      current += static_cast<char>(data[i]);
    }
  }
  if (!current.empty() && args.size() < 64) args.push_back(current);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  advgrad::fuzz::refuse_or_parse(
      [&] { advgrad::cli::command_line(static_cast<int>(args.size()), argv.data(), /*execute=*/false); });
  return 0;
}
