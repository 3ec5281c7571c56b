#pragma once
// Shared plumbing for ops: argument checks and building the kernels' loop
// structs from tensors. Internal to core/ (not part of the public API).
#include <initializer_list>
#include <vector>

#include "advgrad/core/backend/backend.h"
#include "advgrad/core/tensor.h"
#include "advgrad/kernels/loops.h"

namespace advgrad::detail {

// Loop over `shape` where each operand is read through its own strides,
// broadcast to `shape` (stride 0 on broadcast dims). Operand 0 is the output.
kernels::StridedLoop make_loop(const Shape& shape, std::initializer_list<const Tensor*> operands, const char* op);

// Reduction of `x` over `reduce` (a mask per dim); output contiguous with the kept dims.
kernels::ReduceLoop make_reduce_loop(const Tensor& x, const std::vector<bool>& reduce);

// Mask of dims to reduce (empty dims = all), wrapping negatives; rejects repeats.
std::vector<bool> reduce_mask(const std::vector<std::int64_t>& dims, std::int64_t ndim, const char* op);

// Output shape of a reduction.
Shape reduced_shape(const Shape& in, const std::vector<bool>& reduce, bool keepdim);

void check_defined(const Tensor& t, const char* op, const char* what);
void check_floating(const Tensor& t, const char* op);
void check_same_device(const Tensor& a, const Tensor& b, const char* op);
// Same dtype, or one side 0-dim (cast to the other's dtype). Returns the (possibly cast) pair.
std::pair<Tensor, Tensor> unify_dtypes(const Tensor& a, const Tensor& b, const char* op);
void check_dims(const Tensor& t, std::int64_t ndim, const char* op, const char* what);
// Throws when an in-place write would break autograd.
void check_inplace(const Tensor& t, const char* op);

inline Backend& backend_of(const Tensor& t) { return backend_for(t.device()); }

}  // namespace advgrad::detail
