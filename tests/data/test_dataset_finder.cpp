// Where data sets are found: --data-dir (itself or <dir>/<name>), then
// ADVGRAD_DATA_DIR, then the system directory; clear errors otherwise.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "advgrad/data/dataset_finder.h"
#include "expect_error.h"
#include "testing.h"

namespace advgrad::data {
namespace {

namespace fs = std::filesystem;
using testing::EnvScope;
using testing::expect_error;

void touch(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "x";
}

TEST(DatasetFinder, RecognisesTheFilesOfEachSet) {
  const fs::path dir = testing::temp_dir("finder_files");
  EXPECT_FALSE(holds_dataset("fashion-mnist", dir.string()));
  touch(dir / "train-images-idx3-ubyte.gz");
  EXPECT_TRUE(holds_dataset("fashion-mnist", dir.string()));
  EXPECT_TRUE(holds_dataset("mnist", dir.string()));
  EXPECT_FALSE(holds_dataset("cifar10", dir.string()));
  touch(dir / "cifar-10-batches-bin" / "data_batch_1.bin");
  EXPECT_TRUE(holds_dataset("cifar10", dir.string()));
  EXPECT_FALSE(holds_dataset("fashion-mnist", (dir / "missing").string()));
}

TEST(DatasetFinder, ExplicitDirThenEnvironmentThenSystem) {
  const fs::path root = testing::temp_dir("finder_order");
  const fs::path given = root / "given", env = root / "env", system = root / "system";
  touch(given / "fashion-mnist" / "train-images-idx3-ubyte.gz");  // DIR/<name>
  touch(env / "train-images-idx3-ubyte");                         // DIR itself
  touch(system / "fashion-mnist" / "train-images-idx3-ubyte.gz");
  EnvScope sys("ADVGRAD_SYSTEM_DATASETS", system.c_str());
  {
    EnvScope e("ADVGRAD_DATA_DIR", env.c_str());
    EXPECT_EQ(find_dataset_dir("fashion-mnist", given.string()), (given / "fashion-mnist").string());
    EXPECT_EQ(find_dataset_dir("fashion-mnist"), env.string());
  }
  EnvScope no_env("ADVGRAD_DATA_DIR", nullptr);
  EXPECT_EQ(find_dataset_dir("fashion-mnist"), (system / "fashion-mnist").string());
  EXPECT_EQ(system_dataset_dir("mnist"), (system / "mnist").string());
}

TEST(DatasetFinder, NeverFallsBackSilentlyAndSaysHowToGetTheData) {
  const fs::path root = testing::temp_dir("finder_errors");
  EnvScope sys("ADVGRAD_SYSTEM_DATASETS", (root / "empty").c_str());
  EnvScope no_env("ADVGRAD_DATA_DIR", nullptr);
  // An explicit directory without the data is an error even if the system has it.
  touch(root / "empty" / "fashion-mnist" / "train-images-idx3-ubyte.gz");
  expect_error([&] { find_dataset_dir("fashion-mnist", (root / "nowhere").string()); },
               {"fashion-mnist", "--data-dir", "nowhere"});
  fs::remove_all(root / "empty");
  expect_error([&] { find_dataset_dir("fashion-mnist"); },
               {"fashion-mnist: not found in", "apt-get install dataset-fashion-mnist", "--data-dir"});
  expect_error([&] { find_dataset_dir("cifar10"); }, {"cifar10", "CIFAR-10", "--data-dir"});
}

}  // namespace
}  // namespace advgrad::data
