#pragma once
// Iteration spaces handed from core/ to kernels. Kernels know nothing of
// Tensor: an op describes "which elements of which buffers" with these plain
// structs (sizes and per-operand strides, in elements; stride 0 = broadcast).
#include <cstdint>

namespace advgrad::kernels {

constexpr int kMaxDims = 8;
constexpr int kMaxOperands = 4;  // output + up to 3 inputs

// An N-d loop over `sizes`; operand k's element at index i is at
// ptr_k + sum_d i_d * strides[k][d]. Operand 0 is the output.
struct StridedLoop {
  int ndim = 0;
  std::int64_t sizes[kMaxDims] = {};
  std::int64_t strides[kMaxOperands][kMaxDims] = {};

  std::int64_t numel() const {
    std::int64_t n = 1;
    for (int d = 0; d < ndim; ++d) n *= sizes[d];
    return n;
  }
};

// A reduction: the output (contiguous, `out_ndim` dims) element at index o is
// reduce over r of in[sum_d o_d * out_strides[d] + sum_e r_e * red_strides[e]].
struct ReduceLoop {
  int out_ndim = 0;
  std::int64_t out_sizes[kMaxDims] = {};
  std::int64_t out_strides[kMaxDims] = {};  // input strides along kept dims
  int red_ndim = 0;
  std::int64_t red_sizes[kMaxDims] = {};
  std::int64_t red_strides[kMaxDims] = {};  // input strides along reduced dims

  std::int64_t out_numel() const {
    std::int64_t n = 1;
    for (int d = 0; d < out_ndim; ++d) n *= out_sizes[d];
    return n;
  }
  std::int64_t red_numel() const {
    std::int64_t n = 1;
    for (int d = 0; d < red_ndim; ++d) n *= red_sizes[d];
    return n;
  }
};

// Turns a linear index into the offset of operand k (row-major over sizes).
inline std::int64_t strided_offset(const StridedLoop& loop, int k, std::int64_t linear) {
  std::int64_t off = 0;
  for (int d = loop.ndim - 1; d >= 0; --d) {
    const std::int64_t i = linear % loop.sizes[d];
    linear /= loop.sizes[d];
    off += i * loop.strides[k][d];
  }
  return off;
}

inline std::int64_t unravel_offset(int ndim, const std::int64_t* sizes, const std::int64_t* strides,
                                   std::int64_t linear) {
  std::int64_t off = 0;
  for (int d = ndim - 1; d >= 0; --d) {
    const std::int64_t i = linear % sizes[d];
    linear /= sizes[d];
    off += i * strides[d];
  }
  return off;
}

}  // namespace advgrad::kernels
