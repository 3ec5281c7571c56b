#pragma once
// In-memory image classification data sets. Pixels stay uint8 (as stored on
// disk) and become float [0, 1] per batch in the DataLoader.
#include <cstdint>
#include <string>
#include <vector>

#include "advgrad/core/tensor.h"

namespace advgrad::data {

struct Dataset {
  std::string name;
  std::int64_t channels = 1, height = 28, width = 28;
  std::vector<std::uint8_t> pixels;    // n * channels * height * width, NCHW
  std::vector<std::int64_t> labels;    // n, in [0, classes)
  std::int64_t classes = 10;
  std::vector<std::string> class_names;

  std::int64_t size() const { return static_cast<std::int64_t>(labels.size()); }
  std::int64_t image_numel() const { return channels * height * width; }
  // The first `n` examples (n >= size keeps all).
  Dataset head(std::int64_t n) const;
  // Examples at `indices`, in that order.
  Dataset select(const std::vector<std::int64_t>& indices) const;
  // Images [n, C, H, W] float32 in [0, 1] and labels [n] int64, for indices.
  Tensor images_tensor(const std::vector<std::int64_t>& indices) const;
  Tensor labels_tensor(const std::vector<std::int64_t>& indices) const;
  // Checks sizes and label range; throws advgrad::Error naming the data set.
  void validate() const;
};

struct Split {
  Dataset train, test;
};

// MNIST / Fashion-MNIST from IDX files (gzip or raw) in `dir`:
// {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz].
Split load_mnist(const std::string& dir, const std::string& name = "mnist");
Split load_fashion_mnist(const std::string& dir);
// CIFAR-10 binary version in `dir`: data_batch_1..5.bin and test_batch.bin.
Split load_cifar10(const std::string& dir);
// Built-in synthetic digits: 28x28 grey glyphs 0-9 drawn with random affine
// jitter, stroke width and noise, fully determined by `seed`.
Split make_synthetic_digits(std::int64_t train_size, std::int64_t test_size, std::uint64_t seed);

// IDX readers (exposed for tests): images [n, rows, cols] and labels [n].
struct IdxImages {
  std::int64_t count = 0, rows = 0, cols = 0;
  std::vector<std::uint8_t> pixels;
};
IdxImages read_idx_images(const std::string& path);
std::vector<std::int64_t> read_idx_labels(const std::string& path);
// Reads a whole regular file (io/read_file.h: a directory or device is
// refused), gunzipping it when it starts with gzip's magic number 1f 8b.
// Both the file and what it decompresses to are limited to kMaxDataFileBytes
// (1 GiB; CIFAR-10 and Fashion-MNIST's largest files are 30 and 47 MB), so a
// gzip bomb is an error, not an exhausted machine.
inline constexpr std::uint64_t kMaxDataFileBytes = std::uint64_t{1} << 30;
std::string read_maybe_gzip(const std::string& path);
// `bytes` decompressed when they are gzip (one member or several back to back),
// else unchanged; errors name `what`. Corrupt or truncated data is an error.
std::string gunzip_if_gzip(const std::string& bytes, const std::string& what, std::uint64_t max_bytes = kMaxDataFileBytes);
// Parsers over bytes already in memory; `what` names the source in errors.
IdxImages parse_idx_images(const std::string& bytes, const std::string& what);
std::vector<std::int64_t> parse_idx_labels(const std::string& bytes, const std::string& what);
Dataset parse_cifar10_batches(const std::vector<std::string>& files_bytes, const std::vector<std::string>& names,
                              const std::string& set_name);

// Loads by name: synthetic (built in, dir ignored), mnist, fashion-mnist,
// cifar10 (from find_dataset_dir(name, dir): dataset_finder.h).
Split load_dataset(const std::string& name, const std::string& dir, std::uint64_t seed = 0);
const std::vector<std::string>& dataset_names();

}  // namespace advgrad::data
