#pragma once
// Gather and scatter-add along one dim, the loops behind gather, scatter_add,
// index_select, one_hot and the label lookups of the losses.
//
// The iteration space is `sizes` (the index's shape). For a position
// i = (i_0, ..., i_{n-1}) let k = index[i . index_strides] and let j be i with
// i_dim replaced by k. Then
//   gather:       dense[i . dense_strides]    = indexed[j . indexed_strides]
//   scatter_add:  indexed[j . indexed_strides] += dense[i . dense_strides]
// (x . s = sum_d x_d s_d, strides in elements). A stride of 0 broadcasts: that
// is how index_select (one index per slice) and one_hot (src = a single 1)
// reuse these loops.
//
// Out-of-range indices (k < 0 or k >= indexed_size) are never dereferenced; the
// kernel reports the first one in row-major order of `sizes`, so core/ can name
// the value in its error message. scatter_add requires `indexed` to be a
// tensor whose distinct non-`dim` coordinates are distinct addresses (a fresh
// contiguous one): the fast kernel relies on it to add without races and in
// the same order as the reference.
#include <cstdint>

#include "advgrad/kernels/loops.h"

namespace advgrad::kernels {

struct IndexLoop {
  int ndim = 0;
  int dim = 0;                                   // the dim the index addresses
  std::int64_t sizes[kMaxDims] = {};            // iteration shape (= the index's shape)
  std::int64_t index_strides[kMaxDims] = {};    // int64 index
  std::int64_t dense_strides[kMaxDims] = {};    // gather: out; scatter_add: src
  std::int64_t indexed_strides[kMaxDims] = {};  // gather: x; scatter_add: out
  std::int64_t indexed_size = 0;                // valid indices are [0, indexed_size)
};

struct IndexStatus {
  std::int64_t position = -1;  // row-major position (in `sizes`) of the first bad index, -1 if none
  std::int64_t value = 0;      // that index's value
  bool ok() const { return position < 0; }
};

}  // namespace advgrad::kernels
