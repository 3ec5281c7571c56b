// advgrad convert IN.pth OUT.safetensors: a PyTorch checkpoint's state dict,
// read without running its pickle (nn/pytorch_checkpoint.h), written as
// safetensors (atomically). Prints what it wrote.
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "advgrad/nn/pytorch_checkpoint.h"
#include "advgrad/nn/safetensors.h"
#include "commands.h"

namespace advgrad::cli {
namespace {

struct ConvertFlags {
  std::string in, out;
};

int run_convert(const ConvertFlags& f, const Common& common) {
  const std::map<std::string, Tensor> tensors = nn::load_pytorch_checkpoint(f.in);
  const std::string source = std::filesystem::path(f.in).filename().string();
  nn::save_safetensors(f.out, tensors, {{"converted_from", source}});
  const auto bytes = std::filesystem::file_size(f.out);
  if (common.json) {
    std::cout << nlohmann::json{{"input", f.in}, {"output", f.out}, {"tensors", tensors.size()}, {"bytes", bytes}}.dump(
                     2)
              << "\n";
    return 0;
  }
  std::cout << "wrote " << f.out << ": " << tensors.size() << " tensors, " << bytes << " bytes (from " << f.in << ")\n";
  return 0;
}

}  // namespace

Command add_convert(CLI::App& app, Common& common) {
  auto* cmd = app.add_subcommand(
      "convert", "convert a PyTorch checkpoint (.pth/.pt state dict) to safetensors, without running its pickle");
  auto f = std::make_shared<ConvertFlags>();
  cmd->add_option("input", f->in, "PyTorch checkpoint to read (.pth or .pt, zip or legacy format)")->required();
  cmd->add_option("output", f->out, "safetensors file to write")->required();
  cmd->add_flag("--json", common.json, "print what was written as JSON");
  return {cmd, [f, &common] { return run_convert(*f, common); }};
}

}  // namespace advgrad::cli
