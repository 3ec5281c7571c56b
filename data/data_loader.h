#pragma once
// DataLoader: batches of float [0, 1] images and int64 labels from a Dataset.
// The order of epoch e is a permutation drawn from Generator(seed + e), so a
// resumed run sees exactly the batches an uninterrupted one would.
// Augmentation (CIFAR-style): random crop with zero padding, horizontal flip.
#include <cstdint>
#include <vector>

#include "advgrad/core/tensor.h"
#include "advgrad/data/dataset.h"

namespace advgrad::data {

struct Batch {
  Tensor images;  // [B, C, H, W] float32
  Tensor labels;  // [B] int64
  std::vector<std::int64_t> indices;  // positions in the data set
};

struct LoaderOptions {
  std::int64_t batch_size = 128;
  bool shuffle = true;
  bool drop_last = false;
  std::uint64_t seed = 0;
  std::int64_t crop_padding = 0;  // > 0: random crop after zero padding
  bool horizontal_flip = false;
};

class DataLoader {
 public:
  DataLoader(const Dataset& data, LoaderOptions options);
  // Starts epoch `epoch` (0-based): fixes its order.
  void start_epoch(std::int64_t epoch);
  // Fills the next batch; false at the end of the epoch.
  bool next(Batch& batch);
  std::int64_t batches_per_epoch() const;
  // Skips batches (resume mid-epoch).
  void skip(std::int64_t batches) { cursor_ += batches * options_.batch_size; }
  const Dataset& dataset() const { return data_; }

 private:
  void augment(Tensor& images, std::int64_t epoch_batch_salt);
  const Dataset& data_;
  LoaderOptions options_;
  std::vector<std::int64_t> order_;
  std::int64_t cursor_ = 0, epoch_ = 0;
};

}  // namespace advgrad::data
