#include "advgrad/data/data_loader.h"

#include <cstring>

#include "advgrad/core/generator.h"

namespace advgrad::data {

DataLoader::DataLoader(const Dataset& data, LoaderOptions options) : data_(data), options_(options) {
  ADVGRAD_CHECK(options.batch_size >= 1, "DataLoader: batch size must be >= 1, got ", options.batch_size);
  ADVGRAD_CHECK(options.crop_padding >= 0, "DataLoader: crop padding must be >= 0");
  ADVGRAD_CHECK(data.size() > 0, "DataLoader: data set '", data.name, "' is empty");
  start_epoch(0);
}

void DataLoader::start_epoch(std::int64_t epoch) {
  epoch_ = epoch;
  cursor_ = 0;
  order_.resize(static_cast<std::size_t>(data_.size()));
  for (std::int64_t i = 0; i < data_.size(); ++i) order_[i] = i;
  if (options_.shuffle) {
    Generator gen(options_.seed * 1000003ull + static_cast<std::uint64_t>(epoch));
    for (std::int64_t i = data_.size() - 1; i > 0; --i) std::swap(order_[i], order_[gen.next_int(0, i + 1)]);
  }
}

std::int64_t DataLoader::batches_per_epoch() const {
  const std::int64_t n = data_.size(), b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

bool DataLoader::next(Batch& batch) {
  const std::int64_t n = data_.size();
  if (cursor_ >= n) return false;
  const std::int64_t end = std::min(n, cursor_ + options_.batch_size);
  if (options_.drop_last && end - cursor_ < options_.batch_size) return false;
  batch.indices.assign(order_.begin() + cursor_, order_.begin() + end);
  const std::int64_t salt = cursor_ / options_.batch_size;
  cursor_ = end;
  batch.images = data_.images_tensor(batch.indices);
  batch.labels = data_.labels_tensor(batch.indices);
  if (options_.crop_padding > 0 || options_.horizontal_flip) augment(batch.images, salt);
  return true;
}

// Per image: flip with probability 1/2, then take an H x W window at a random
// offset of the zero-padded image. Randomness from (seed, epoch, batch).
void DataLoader::augment(Tensor& images, std::int64_t salt) {
  Generator gen(options_.seed * 7919ull + static_cast<std::uint64_t>(epoch_) * 104729ull + static_cast<std::uint64_t>(salt));
  const std::int64_t B = images.size(0), C = images.size(1), H = images.size(2), W = images.size(3);
  const std::int64_t p = options_.crop_padding;
  Tensor out = zeros(images.shape());
  const float* src = images.data<float>();
  float* dst = out.data<float>();
  for (std::int64_t b = 0; b < B; ++b) {
    const bool flip = options_.horizontal_flip && gen.next_int(0, 2) == 1;
    const std::int64_t dy = p > 0 ? gen.next_int(-p, p + 1) : 0, dx = p > 0 ? gen.next_int(-p, p + 1) : 0;
    for (std::int64_t c = 0; c < C; ++c)
      for (std::int64_t y = 0; y < H; ++y)
        for (std::int64_t x = 0; x < W; ++x) {
          const std::int64_t sy = y + dy, sx0 = x + dx;
          if (sy < 0 || sy >= H || sx0 < 0 || sx0 >= W) continue;
          const std::int64_t sx = flip ? W - 1 - sx0 : sx0;
          dst[((b * C + c) * H + y) * W + x] = src[((b * C + c) * H + sy) * W + sx];
        }
  }
  images = out;
}

}  // namespace advgrad::data
