#pragma once
// Gather and scatter-add along one dim on the device (kernels/index_params.h),
// float, double and int64 data. Bad indices are never dereferenced: the kernel
// records the first one (in row-major order of the iteration space) and the
// launcher returns it, so core/ can name it in its error. scatter_add adds in
// the reference's order (one thread per destination slot walks the index dim),
// so results are deterministic.
#include <cstdint>

#include "advgrad/kernels/cuda/namespace.h"
#include "advgrad/kernels/index_params.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

template <typename T>
IndexStatus gather(const IndexLoop& loop, T* dense, const T* indexed, const std::int64_t* index);
template <typename T>
IndexStatus scatter_add(const IndexLoop& loop, T* indexed, const T* dense, const std::int64_t* index);

ADVGRAD_CUDA_NAMESPACE_END
