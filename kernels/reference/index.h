#pragma once
// Reference gather / scatter-add (contract in kernels/index_params.h): one
// plain loop over the index, every offset computed from scratch.
#include <cstdint>

#include "advgrad/kernels/index_params.h"

namespace advgrad::kernels::reference {

// dense[i] = indexed[i with i_dim := index[i]]
template <typename T>
IndexStatus gather(const IndexLoop& loop, T* dense, const T* indexed, const std::int64_t* index);

// indexed[i with i_dim := index[i]] += dense[i]
template <typename T>
IndexStatus scatter_add(const IndexLoop& loop, T* indexed, const T* dense, const std::int64_t* index);

}  // namespace advgrad::kernels::reference
