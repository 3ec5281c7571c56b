#include "advgrad/core/backend/cuda.h"
#include "commands.h"

namespace advgrad::cli {

namespace {
CLI::Validator number_at_least(double lo, bool strict, const char* text) {
  return CLI::Validator(
      [lo, strict, text](std::string& in) -> std::string {
        double v = 0;
        if (!CLI::detail::lexical_cast(in, v)) return "expected a number, got '" + in + "'";
        return (strict ? v > lo : v >= lo) ? std::string() : "must be " + std::string(text) + ", got " + in;
      },
      strict ? "POSITIVE" : "NONNEGATIVE");
}
}  // namespace

CLI::Validator non_negative() { return number_at_least(0, false, ">= 0"); }
CLI::Validator positive() { return number_at_least(0, true, "> 0"); }

void DataFlags::add_to(CLI::App* cmd) {
  cmd->add_option("--data", name,
                  "data set: fashion-mnist (default; Debian's dataset-fashion-mnist), mnist, cifar10, or "
                  "synthetic (built-in digits for offline smoke tests)")
      ->check(CLI::IsMember(data::dataset_names()));
  cmd->add_option("--data-dir", dir,
                  "directory with the data set's files, or a directory holding <name>/ (default: ADVGRAD_DATA_DIR, "
                  "then /usr/share/datasets/<name>)");
  cmd->add_option("--limit", limit, "use only the first N training examples")->check(positive());
  cmd->add_option("--test-limit", test_limit, "use only the first N test examples")->check(positive());
}

data::Split DataFlags::load(std::uint64_t seed) const {
  data::Split s = data::load_dataset(name, dir, seed);
  if (limit > 0) s.train = s.train.head(limit);
  if (test_limit > 0) s.test = s.test.head(test_limit);
  return s;
}

void Common::resolve_device() {
  device = Device::parse(device_name);
  ADVGRAD_CHECK(device.is_cpu() || cuda::is_available(), "--device ", device_name, ": no CUDA device here (",
                cuda::describe(), ")");
}

void check_model_fits(const nn::ModelConfig& m, const data::Dataset& t, const char* command) {
  ADVGRAD_CHECK(t.channels == m.channels && t.height == m.height && t.width == m.width && t.classes == m.classes,
                command, ": model expects ", m.channels, "x", m.height, "x", m.width, " images and ", m.classes,
                " classes; data set ", t.name, " has ", t.channels, "x", t.height, "x", t.width, " and ", t.classes);
}

}  // namespace advgrad::cli
