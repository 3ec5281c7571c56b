#include "advgrad/data/dataset_finder.h"

#include <cstdlib>
#include <filesystem>

#include "advgrad/core/error.h"

namespace advgrad::data {
namespace {

namespace fs = std::filesystem;

bool any_file(const fs::path& dir, std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (fs::is_regular_file(dir / n)) return true;
  return false;
}

// DIR or DIR/<name>, whichever holds the data set; empty if neither.
std::string resolve(const std::string& name, const std::string& dir) {
  if (dir.empty()) return {};
  if (holds_dataset(name, dir)) return dir;
  const std::string nested = (fs::path(dir) / name).string();
  return holds_dataset(name, nested) ? nested : std::string();
}

// How to get a data set that was not found.
std::string how_to_get(const std::string& name) {
  if (name == "fashion-mnist") return "install it with 'sudo apt-get install dataset-fashion-mnist', or pass";
  if (name == "mnist") return "download the four IDX files from the MNIST page and pass";
  return "download the CIFAR-10 binary version and pass";
}

}  // namespace

bool holds_dataset(const std::string& name, const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return false;
  if (name == "mnist" || name == "fashion-mnist")
    return any_file(dir, {"train-images-idx3-ubyte.gz", "train-images-idx3-ubyte", "train-images.idx3-ubyte.gz",
                          "train-images.idx3-ubyte"});
  if (name == "cifar10")
    return any_file(dir, {"data_batch_1.bin"}) || any_file(fs::path(dir) / "cifar-10-batches-bin", {"data_batch_1.bin"});
  return false;
}

std::string system_dataset_dir(const std::string& name) {
  const char* root = std::getenv("ADVGRAD_SYSTEM_DATASETS");
  return (fs::path(root && *root ? root : "/usr/share/datasets") / name).string();
}

std::string find_dataset_dir(const std::string& name, const std::string& dir) {
  if (!dir.empty()) {
    const std::string found = resolve(name, dir);
    ADVGRAD_CHECK(!found.empty(), name, ": --data-dir '", dir, "' holds neither the ", name, " files nor a ", name,
                  "/ folder with them");
    return found;
  }
  const char* env = std::getenv("ADVGRAD_DATA_DIR");
  const std::string env_dir = env ? env : "";
  if (const std::string found = resolve(name, env_dir); !found.empty()) return found;
  const std::string system = system_dataset_dir(name);
  if (holds_dataset(name, system)) return system;
  detail::fail(name, ": not found in ", system, env_dir.empty() ? "" : " or ADVGRAD_DATA_DIR (" + env_dir + ")", "; ",
               how_to_get(name), " --data-dir DIR (or set ADVGRAD_DATA_DIR)");
}

}  // namespace advgrad::data
