#pragma once
// Storage: one reference-counted buffer on one device. Tensors are views
// (shape, strides, offset) over a Storage; views of the same data share it.
// The version counter lives here too, because any view writing in place
// changes the bytes every other view (and every saved tensor) sees.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "advgrad/core/device.h"

namespace advgrad {

class Storage {
 public:
  // Allocates nbytes (uninitialised) on `device` through that device's backend.
  static std::shared_ptr<Storage> allocate(std::size_t nbytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  std::size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }

  std::uint64_t version() const { return version_; }
  void bump_version() { ++version_; }

 private:
  Storage(void* data, std::size_t nbytes, Device device) : data_(data), nbytes_(nbytes), device_(device) {}
  void* data_;
  std::size_t nbytes_;
  Device device_;
  std::uint64_t version_ = 0;
};

}  // namespace advgrad
