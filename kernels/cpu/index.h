#pragma once
// Fast CPU gather / scatter-add (same contract as kernels/reference/index.h).
// Every dim but the addressed one is coalesced; the innermost remaining dim
// runs as a tight loop (a plain row copy when the index is constant along it,
// as for index_select), rows are split across threads. scatter_add gives each
// thread whole output slices and adds along the addressed dim in index order,
// so its sums are bit-identical to the reference at any thread count.
#include <cstdint>

#include "advgrad/kernels/index_params.h"

namespace advgrad::kernels::cpu {

template <typename T>
IndexStatus gather(const IndexLoop& loop, T* dense, const T* indexed, const std::int64_t* index);

template <typename T>
IndexStatus scatter_add(const IndexLoop& loop, T* indexed, const T* dense, const std::int64_t* index);

}  // namespace advgrad::kernels::cpu
