#include "advgrad/nn/pytorch_storage.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace advgrad::nn::pytorch {
namespace {

template <typename T>
T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);  // storages are little-endian, like x86-64; offsets need not be aligned
  return v;
}

// Elements of `shape`, or -1 when a size is negative or the product overflows.
std::int64_t checked_numel(const Shape& shape) {
  std::int64_t n = 1;
  for (std::int64_t s : shape) {
    if (s < 0) return -1;
    if (s != 0 && n > std::numeric_limits<std::int64_t>::max() / s) return -1;
    n *= s;
  }
  return n;
}

// The largest storage index the view reaches: offset + sum (size_i - 1) * stride_i,
// given non-empty sizes and non-negative strides; -1 on overflow.
std::int64_t last_index(const TensorRef& t) {
  __int128 last = t.offset;
  for (std::size_t d = 0; d < t.size.size(); ++d) last += static_cast<__int128>(t.size[d] - 1) * t.stride[d];
  return last > std::numeric_limits<std::int64_t>::max() ? -1 : static_cast<std::int64_t>(last);
}

void check_view(const TensorRef& t, std::int64_t numel, const std::string& what) {
  auto fail = [&](const auto&... msg) {
    detail::fail("PyTorch checkpoint '", what, "': tensor '", t.name, "': ", msg...);
  };
  if (t.size.size() != t.stride.size()) fail(t.size.size(), " sizes but ", t.stride.size(), " strides");
  if (numel < 0) fail("size ", shape_str(t.size), " is negative or overflows");
  if (t.offset < 0) fail("negative storage offset ", t.offset);
  for (std::int64_t s : t.stride)
    if (s < 0) fail("negative stride ", s);
  if (static_cast<std::uint64_t>(numel) > t.storage.numel)
    fail(numel, " elements view a ", t.storage.numel, "-element storage (overlapping views are not read)");
  if (numel == 0) return;
  const std::int64_t last = last_index(t);
  if (last < 0 || static_cast<std::uint64_t>(last) >= t.storage.numel)
    fail("offset ", t.offset, ", size ", shape_str(t.size), " and its strides reach past the end of its ",
         t.storage.numel, "-element storage '", t.storage.key, "'");
}

// out[i] = convert(element at the i-th position of the view, row-major), by
// walking the view's index like an odometer.
template <typename Src, typename Dst, typename Convert>
void gather(const TensorRef& t, const char* base, Dst* out, std::int64_t numel, Convert convert) {
  const std::size_t nd = t.size.size();
  std::vector<std::int64_t> index(nd, 0);
  std::int64_t at = t.offset;
  for (std::int64_t i = 0; i < numel; ++i) {
    out[i] = convert(load<Src>(base + at * sizeof(Src)));
    for (std::size_t d = nd; d-- > 0;) {
      at += t.stride[d];
      if (++index[d] < t.size[d]) break;
      at -= t.stride[d] * t.size[d];
      index[d] = 0;
    }
  }
}

template <typename Src, typename Dst, typename Convert>
Tensor gather_as(const TensorRef& t, const char* base, std::int64_t numel, Convert convert) {
  Tensor out = Tensor::empty(t.size, TensorOptions{dtype_of<Dst>::value});
  gather<Src>(t, base, out.data<Dst>(), numel, convert);
  return out;
}

}  // namespace

StorageType storage_type_of(const std::string& global, const std::string& what) {
  if (global == "torch.FloatStorage") return StorageType::Float32;
  if (global == "torch.DoubleStorage") return StorageType::Float64;
  if (global == "torch.HalfStorage") return StorageType::Float16;
  if (global == "torch.LongStorage") return StorageType::Int64;
  detail::fail("PyTorch checkpoint '", what, "': storage type ", global,
               " is not read (advgrad reads Float, Double, Half and Long storages)");
}

std::size_t element_size(StorageType t) {
  switch (t) {
    case StorageType::Float16:
      return 2;
    case StorageType::Float32:
      return 4;
    case StorageType::Float64:
    case StorageType::Int64:
      return 8;
  }
  return 0;
}

float half_to_float(std::uint16_t h) {
  const bool negative = h & 0x8000;
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  float magnitude;
  if (exponent == 0x1f)
    magnitude = mantissa ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  else if (exponent == 0)
    magnitude = std::ldexp(static_cast<float>(mantissa), -24);  // subnormal (or zero)
  else
    magnitude = std::ldexp(static_cast<float>(mantissa + 1024), exponent - 25);  // 1.m * 2^(e-15)
  return negative ? -magnitude : magnitude;
}

Tensor gather_tensor(const TensorRef& ref, std::string_view bytes, const std::string& what) {
  const std::size_t es = element_size(ref.storage.type);
  ADVGRAD_CHECK(bytes.size() % es == 0 && ref.storage.numel == bytes.size() / es, "PyTorch checkpoint '", what,
                "': storage '", ref.storage.key, "' has ", bytes.size(), " bytes for ", ref.storage.numel, " elements");
  const std::int64_t numel = checked_numel(ref.size);
  check_view(ref, numel, what);
  // A size-1 dimension's stride moves nothing; zeroing it keeps the walk's
  // running index within twice the last index (no overflow).
  TensorRef t = ref;
  for (std::size_t d = 0; d < t.size.size(); ++d)
    if (t.size[d] == 1) t.stride[d] = 0;
  const auto same = [](auto v) { return v; };
  switch (t.storage.type) {
    case StorageType::Float32:
      return gather_as<float, float>(t, bytes.data(), numel, same);
    case StorageType::Float16:
      return gather_as<std::uint16_t, float>(t, bytes.data(), numel, half_to_float);
    case StorageType::Float64:
      return gather_as<double, double>(t, bytes.data(), numel, same);
    case StorageType::Int64:
      return gather_as<std::int64_t, std::int64_t>(t, bytes.data(), numel, same);
  }
  return {};
}

}  // namespace advgrad::nn::pytorch
