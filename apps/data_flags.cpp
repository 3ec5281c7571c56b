#include <iostream>

#include "advgrad/core/backend/cuda.h"
#include "advgrad/data/image_transforms.h"
#include "advgrad/imageio/image_folder.h"
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
  std::vector<std::string> names = data::dataset_names();
  names.push_back("image-folder");
  cmd->add_option("--data", name,
                  "data set: fashion-mnist (default; Debian's dataset-fashion-mnist), mnist, cifar10, "
                  "synthetic (built-in digits for offline smoke tests), or image-folder (--data-dir DIR holding "
                  "DIR/<class>/*.jpg|jpeg|png, or DIR/train/<class> and DIR/test/<class>)")
      ->check(CLI::IsMember(names));
  cmd->add_option("--data-dir", dir,
                  "directory with the data set's files, or a directory holding <name>/ (default: ADVGRAD_DATA_DIR, "
                  "then /usr/share/datasets/<name>)");
  cmd->add_option("--limit", limit, "use only the first N training examples")->check(positive());
  cmd->add_option("--test-limit", test_limit, "use only the first N test examples")->check(positive());
  cmd->add_option("--image-size", image_size,
                  "resize the images to S x S (bilinear; image-folder: shorter side to S, centre crop; default 64 "
                  "there, else as stored)")
      ->check(CLI::Range(8, 1024));
  cmd->add_option("--channels", channels, "convert the images to 1 (grey) or 3 (RGB) channels")
      ->check(CLI::IsMember(std::vector<std::int64_t>{1, 3}));
}

data::Split DataFlags::load(std::uint64_t seed) const {
  if (name == "image-folder") {
    ADVGRAD_CHECK(!dir.empty(), "--data image-folder needs --data-dir DIR (DIR/<class>/<image>)");
    data::Split s = imageio::load_image_folder_split(dir, image_size > 0 ? image_size : 64, channels > 0 ? channels : 3,
                                                     seed);
    if (limit > 0) s.train = s.train.head(limit);
    if (test_limit > 0) s.test = s.test.head(test_limit);
    return s;
  }
  data::Split s = data::load_dataset(name, dir, seed);
  if (limit > 0) s.train = s.train.head(limit);
  if (test_limit > 0) s.test = s.test.head(test_limit);
  if (image_size > 0 || channels > 0) {  // after the limits: only what is used is converted
    s.train = data::convert_dataset(s.train, channels, image_size, image_size);
    s.test = data::convert_dataset(s.test, channels, image_size, image_size);
  }
  return s;
}

void Common::resolve_device() {
  device = Device::parse(device_name);
  ADVGRAD_CHECK(device.is_cpu() || cuda::is_available(), "--device ", device_name, ": no CUDA device here (",
                cuda::describe(), ")");
}

void check_model_fits(const nn::LoadedModel& loaded, const data::Dataset& t, const char* command) {
  const nn::ModelConfig& m = loaded.config;
  ADVGRAD_CHECK(t.channels == m.channels && t.height == m.height && t.width == m.width && t.classes == m.classes,
                command, ": model expects ", m.channels, "x", m.height, "x", m.width, " images and ", m.classes,
                " classes; data set ", t.name, " has ", t.channels, "x", t.height, "x", t.width, " and ", t.classes,
                (t.classes == m.classes ? " (--channels and --image-size convert the images)" : ""));
  const auto it = loaded.metadata.find("advgrad.data");
  if (it != loaded.metadata.end() && !it->second.empty() && it->second != t.name)
    std::cerr << "advgrad " << command << ": warning: the model was trained on " << it->second << ", this is "
              << t.name << " (pass --data " << it->second << " to evaluate it on its own data set)\n";
}

}  // namespace advgrad::cli
