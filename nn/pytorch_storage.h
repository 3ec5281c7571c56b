#pragma once
// The storages of a PyTorch checkpoint and the tensors viewing them
// (nn/pytorch_checkpoint.h): which storage types are read, and how a strided
// view (size, stride, storage offset) of a storage's raw little-endian bytes
// becomes a contiguous advgrad Tensor.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "advgrad/core/tensor.h"

namespace advgrad::nn::pytorch {

enum class StorageType { Float32, Float64, Float16, Int64 };

// torch.FloatStorage -> Float32, DoubleStorage -> Float64, HalfStorage ->
// Float16, LongStorage -> Int64; the global's name ("torch.FloatStorage").
// Any other name is an error naming it and `what`.
StorageType storage_type_of(const std::string& global, const std::string& what);
std::size_t element_size(StorageType t);

struct StorageRef {
  StorageType type = StorageType::Float32;
  std::string key;          // names the storage's bytes in the file
  std::uint64_t numel = 0;  // elements, as the persistent id says
};

struct TensorRef {
  std::string name;
  StorageRef storage;
  std::int64_t offset = 0;  // in elements
  Shape size;
  std::vector<std::int64_t> stride;  // in elements
};

// The tensor `t` as a contiguous Tensor (float16 widened to float32), read
// from `bytes`, the storage's numel * element_size bytes. Checks that every
// element the view reaches lies inside the storage, and that the view has no
// more elements than the storage; else an error naming `what` and the tensor.
Tensor gather_tensor(const TensorRef& t, std::string_view bytes, const std::string& what);

// IEEE 754 binary16 bits -> float (exact: every half is a float).
float half_to_float(std::uint16_t h);

}  // namespace advgrad::nn::pytorch
