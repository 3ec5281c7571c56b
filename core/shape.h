#pragma once
// Shapes and strides: small helpers shared by every op. Strides are in elements.
#include <cstdint>
#include <string>
#include <vector>

namespace advgrad {

using Shape = std::vector<std::int64_t>;

std::int64_t numel_of(const Shape& shape);
Shape contiguous_strides(const Shape& shape);
std::string shape_str(const Shape& shape);  // "[2, 3, 4]"

// Wraps a possibly negative dim into [0, ndim); error names op and the range.
int wrap_dim(std::int64_t dim, std::int64_t ndim, const char* op);

// NumPy broadcasting: align trailing dims, sizes must match or be 1.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// Strides that read `shape`-shaped data as if it had shape `target` (which it
// broadcasts to): broadcast dims get stride 0.
std::vector<std::int64_t> broadcast_strides(const Shape& shape, const std::vector<std::int64_t>& strides,
                                            const Shape& target);

}  // namespace advgrad
