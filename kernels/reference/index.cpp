#include "advgrad/kernels/reference/index.h"

namespace advgrad::kernels::reference {
namespace {

struct Offsets {
  std::int64_t index = 0, dense = 0, indexed = 0;  // `indexed` leaves out the dim being addressed
};

// Offsets of row-major position `linear` of the iteration space.
Offsets offsets_at(const IndexLoop& loop, std::int64_t linear) {
  Offsets o;
  for (int d = loop.ndim - 1; d >= 0; --d) {
    const std::int64_t i = linear % loop.sizes[d];
    linear /= loop.sizes[d];
    o.index += i * loop.index_strides[d];
    o.dense += i * loop.dense_strides[d];
    if (d != loop.dim) o.indexed += i * loop.indexed_strides[d];
  }
  return o;
}

std::int64_t count(const IndexLoop& loop) {
  std::int64_t n = 1;
  for (int d = 0; d < loop.ndim; ++d) n *= loop.sizes[d];
  return n;
}

}  // namespace

template <typename T>
IndexStatus gather(const IndexLoop& loop, T* dense, const T* indexed, const std::int64_t* index) {
  const std::int64_t n = count(loop);
  for (std::int64_t i = 0; i < n; ++i) {
    const Offsets o = offsets_at(loop, i);
    const std::int64_t k = index[o.index];
    if (k < 0 || k >= loop.indexed_size) return {i, k};
    dense[o.dense] = indexed[o.indexed + k * loop.indexed_strides[loop.dim]];
  }
  return {};
}

template <typename T>
IndexStatus scatter_add(const IndexLoop& loop, T* indexed, const T* dense, const std::int64_t* index) {
  const std::int64_t n = count(loop);
  for (std::int64_t i = 0; i < n; ++i) {
    const Offsets o = offsets_at(loop, i);
    const std::int64_t k = index[o.index];
    if (k < 0 || k >= loop.indexed_size) return {i, k};
    indexed[o.indexed + k * loop.indexed_strides[loop.dim]] += dense[o.dense];
  }
  return {};
}

#define ADVGRAD_INSTANTIATE(T)                                                                       \
  template IndexStatus gather<T>(const IndexLoop&, T*, const T*, const std::int64_t*);              \
  template IndexStatus scatter_add<T>(const IndexLoop&, T*, const T*, const std::int64_t*);
ADVGRAD_INSTANTIATE(float)
ADVGRAD_INSTANTIATE(double)
ADVGRAD_INSTANTIATE(std::int64_t)
#undef ADVGRAD_INSTANTIATE

}  // namespace advgrad::kernels::reference
