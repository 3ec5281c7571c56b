#include "advgrad/core/ops/op_utils.h"

#include "advgrad/core/grad_mode.h"

namespace advgrad::detail {

kernels::StridedLoop make_loop(const Shape& shape, std::initializer_list<const Tensor*> operands, const char* op) {
  ADVGRAD_CHECK(static_cast<int>(shape.size()) <= kernels::kMaxDims, op, ": tensors of more than ",
                kernels::kMaxDims, " dims are not supported, got shape ", shape_str(shape));
  kernels::StridedLoop loop;
  loop.ndim = static_cast<int>(shape.size());
  for (int d = 0; d < loop.ndim; ++d) loop.sizes[d] = shape[d];
  int k = 0;
  for (const Tensor* t : operands) {
    const auto strides = broadcast_strides(t->shape(), t->strides(), shape);
    for (int d = 0; d < loop.ndim; ++d) loop.strides[k][d] = strides[d];
    ++k;
  }
  return loop;
}

kernels::ReduceLoop make_reduce_loop(const Tensor& x, const std::vector<bool>& reduce) {
  kernels::ReduceLoop loop;
  for (std::size_t d = 0; d < reduce.size(); ++d) {
    if (reduce[d]) {
      loop.red_sizes[loop.red_ndim] = x.shape()[d];
      loop.red_strides[loop.red_ndim++] = x.strides()[d];
    } else {
      loop.out_sizes[loop.out_ndim] = x.shape()[d];
      loop.out_strides[loop.out_ndim++] = x.strides()[d];
    }
  }
  return loop;
}

std::vector<bool> reduce_mask(const std::vector<std::int64_t>& dims, std::int64_t ndim, const char* op) {
  ADVGRAD_CHECK(ndim <= kernels::kMaxDims, op, ": tensors of more than ", kernels::kMaxDims,
                " dims are not supported");
  std::vector<bool> mask(static_cast<std::size_t>(ndim), dims.empty());
  for (auto d : dims) {
    const int w = wrap_dim(d, ndim, op);
    if (ndim == 0) continue;
    ADVGRAD_CHECK(!mask[w], op, ": dim ", d, " appears more than once");
    mask[w] = true;
  }
  return mask;
}

Shape reduced_shape(const Shape& in, const std::vector<bool>& reduce, bool keepdim) {
  Shape out;
  for (std::size_t d = 0; d < in.size(); ++d) {
    if (!reduce[d]) out.push_back(in[d]);
    else if (keepdim) out.push_back(1);
  }
  return out;
}

void check_defined(const Tensor& t, const char* op, const char* what) {
  ADVGRAD_CHECK(t.defined(), op, ": ", what, " is an undefined tensor");
}

void check_floating(const Tensor& t, const char* op) {
  ADVGRAD_CHECK(is_floating(t.dtype()), op, ": expected a floating-point tensor (float32 or float64), got ",
                dtype_name(t.dtype()), " of shape ", shape_str(t.shape()));
}

void check_same_device(const Tensor& a, const Tensor& b, const char* op) {
  ADVGRAD_CHECK(a.device() == b.device(), op, ": tensors are on different devices (", a.device().str(), " and ",
                b.device().str(), "); move one with .to(device)");
}

std::pair<Tensor, Tensor> unify_dtypes(const Tensor& a, const Tensor& b, const char* op) {
  check_defined(a, op, "first operand");
  check_defined(b, op, "second operand");
  check_same_device(a, b, op);
  if (a.dtype() == b.dtype()) return {a, b};
  if (b.dim() == 0) return {a, b.to(a.dtype())};
  if (a.dim() == 0) return {a.to(b.dtype()), b};
  detail::fail(op, ": dtype mismatch: ", dtype_name(a.dtype()), " ", shape_str(a.shape()), " and ",
               dtype_name(b.dtype()), " ", shape_str(b.shape()), " (convert one with .to(dtype))");
}

void check_dims(const Tensor& t, std::int64_t ndim, const char* op, const char* what) {
  ADVGRAD_CHECK(t.dim() == ndim, op, ": expected ", what, " with ", ndim, " dims, got shape ", shape_str(t.shape()));
}

void check_inplace(const Tensor& t, const char* op) {
  ADVGRAD_CHECK(!(GradMode::is_enabled() && t.requires_grad()), op,
                ": in-place modification of a tensor that requires grad (shape ", shape_str(t.shape()),
                "); use the out-of-place op, or wrap the update in NoGradGuard");
}

}  // namespace advgrad::detail
