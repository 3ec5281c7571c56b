// Reductions: sum, mean, amax/amin, max/min along a dim (values + indices),
// argmax/argmin, logsumexp, var and p-norms, with their backward formulas.
#include <cmath>
#include <limits>

#include "advgrad/core/autograd/node.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/elementwise_impl.h"
#include "advgrad/core/ops/op_utils.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad {

using autograd::FunctionNode;
using kernels::ReduceOp;
using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

namespace detail {
Tensor reduce_kernel(ReduceOp op, const Tensor& x, const std::vector<bool>& mask, bool keepdim, const char* name) {
  check_defined(x, name, "input");
  check_floating(x, name);
  if (op != ReduceOp::Sum)
    for (std::size_t d = 0; d < mask.size(); ++d)
      ADVGRAD_CHECK(!mask[d] || x.shape()[d] > 0, name, ": cannot reduce over the empty dim ", d, " of shape ",
                    shape_str(x.shape()));
  Tensor out = Tensor::empty(reduced_shape(x.shape(), mask, keepdim), x.options());
  backend_of(x).reduce(op, x.dtype(), make_reduce_loop(x, mask), out.raw_data(), x.raw_data());
  return out;
}
}  // namespace detail

namespace {

Shape keepdim_shape(const Shape& in, const std::vector<bool>& mask) { return detail::reduced_shape(in, mask, true); }

std::int64_t reduced_count(const Shape& in, const std::vector<bool>& mask) {
  std::int64_t n = 1;
  for (std::size_t d = 0; d < in.size(); ++d)
    if (mask[d]) n *= in[d];
  return n;
}

}  // namespace

// d sum / dx = 1: the gradient is broadcast back over the reduced dims.
Tensor sum(const Tensor& x, const Dims& dims, bool keepdim) {
  const auto mask = detail::reduce_mask(dims, x.dim(), "sum");
  Tensor out = detail::reduce_kernel(ReduceOp::Sum, x, mask, keepdim, "sum");
  if (autograd::any_requires_grad({&x})) {
    const Shape in_shape = x.shape(), keep = keepdim_shape(x.shape(), mask);
    autograd::record("SumBackward", {x}, {&out}, [in_shape, keep](FunctionNode&, Grads& g, const Needs&) {
      return Grads{g[0].reshape(keep).expand(in_shape)};
    });
  }
  return out;
}

Tensor mean(const Tensor& x, const Dims& dims, bool keepdim) {
  detail::check_defined(x, "mean", "input");
  detail::check_floating(x, "mean");  // before sum() would report it under its own name
  const auto mask = detail::reduce_mask(dims, x.dim(), "mean");
  const std::int64_t n = reduced_count(x.shape(), mask);
  ADVGRAD_CHECK(n > 0, "mean: cannot average over zero elements (shape ", shape_str(x.shape()), ")");
  return sum(x, dims, keepdim) / static_cast<double>(n);
}

namespace {
// amax/amin backward: the gradient is shared equally among the elements that
// attain the extreme value.
Tensor extreme(ReduceOp op, const Tensor& x, const Dims& dims, bool keepdim, const char* name, const char* node_name) {
  const auto mask = detail::reduce_mask(dims, x.dim(), name);
  Tensor out = detail::reduce_kernel(op, x, mask, keepdim, name);
  if (autograd::any_requires_grad({&x})) {
    const Shape keep = keepdim_shape(x.shape(), mask);
    const Dims reduce_dims = [&] {
      Dims d;
      for (std::size_t i = 0; i < mask.size(); ++i)
        if (mask[i]) d.push_back(static_cast<std::int64_t>(i));
      return d;
    }();
    auto node = autograd::record(node_name, {x}, {&out}, [keep, reduce_dims](FunctionNode& self, Grads& g, const Needs&) {
      Tensor x = self.saved(0), y = self.saved(1).reshape(keep);
      Tensor hit = eq(x, y).detach();
      Tensor count = sum(hit, reduce_dims, true);
      return Grads{mul(g[0].reshape(keep), div(hit, count))};
    });
    node->save(x, false);
    node->save(out, true);
  }
  return out;
}
}  // namespace

Tensor amax(const Tensor& x, const Dims& dims, bool keepdim) {
  return extreme(ReduceOp::Max, x, dims, keepdim, "amax", "AmaxBackward");
}
Tensor amin(const Tensor& x, const Dims& dims, bool keepdim) {
  return extreme(ReduceOp::Min, x, dims, keepdim, "amin", "AminBackward");
}

namespace {
ValuesIndices arg_extreme(bool is_max, const Tensor& x, std::int64_t dim, bool keepdim, const char* name) {
  detail::check_defined(x, name, "input");
  detail::check_floating(x, name);
  const int d = wrap_dim(dim, x.dim(), name);
  std::vector<bool> mask(static_cast<std::size_t>(x.dim()), false);
  if (x.dim() > 0) mask[d] = true;
  ADVGRAD_CHECK(x.dim() == 0 || x.shape()[d] > 0, name, ": cannot reduce over the empty dim ", dim, " of shape ",
                shape_str(x.shape()));
  const Shape out_shape = detail::reduced_shape(x.shape(), mask, keepdim);
  Tensor values = Tensor::empty(out_shape, x.options());
  Tensor indices = Tensor::empty(out_shape, x.options().with_dtype(DType::Int64));
  kernels::ReduceLoop loop = detail::make_reduce_loop(x, mask);
  if (loop.red_ndim == 0) {  // 0-dim input: reduce over a single element
    loop.red_ndim = 1;
    loop.red_sizes[0] = 1;
    loop.red_strides[0] = 1;
  }
  detail::backend_of(x).arg_reduce(is_max, x.dtype(), loop, values.raw_data(), indices.device_data<std::int64_t>(),
                                   x.raw_data());
  if (autograd::any_requires_grad({&x})) {
    const Shape in_shape = x.shape(), keep = keepdim_shape(x.shape(), mask);
    auto node = autograd::record(is_max ? "MaxBackward" : "MinBackward", {x}, {&values},
                                 [in_shape, keep, d](FunctionNode& self, Grads& g, const Needs&) {
                                   // Route g to the chosen index: g * (arange(n) == index) along dim.
                                   Tensor idx = self.saved(0).reshape(keep);
                                   if (in_shape.empty()) return Grads{g[0]};
                                   Shape pos_shape(in_shape.size(), 1);
                                   pos_shape[d] = in_shape[d];
                                   Tensor pos = arange(in_shape[d], TensorOptions{DType::Int64, idx.device()}).reshape(pos_shape);
                                   Tensor hit = eq(pos, idx).to(g[0].dtype());
                                   return Grads{mul(g[0].reshape(keep), hit)};
                                 });
    node->save(indices, false);
  }
  return {values, indices};
}
}  // namespace

ValuesIndices max(const Tensor& x, std::int64_t dim, bool keepdim) { return arg_extreme(true, x, dim, keepdim, "max"); }
ValuesIndices min(const Tensor& x, std::int64_t dim, bool keepdim) { return arg_extreme(false, x, dim, keepdim, "min"); }
Tensor argmax(const Tensor& x, std::int64_t dim, bool keepdim) {
  NoGradGuard no_grad;
  return arg_extreme(true, x, dim, keepdim, "argmax").indices;
}
Tensor argmin(const Tensor& x, std::int64_t dim, bool keepdim) {
  NoGradGuard no_grad;
  return arg_extreme(false, x, dim, keepdim, "argmin").indices;
}

// logsumexp(x) = m + log(sum(exp(x - m))), m = max(x) held constant: exact in
// value and gradient (softmax), and safe from overflow.
Tensor logsumexp(const Tensor& x, const Dims& dims, bool keepdim) {
  const auto mask = detail::reduce_mask(dims, x.dim(), "logsumexp");
  Tensor m = detail::reduce_kernel(ReduceOp::Max, x, mask, true, "logsumexp");
  // An all -inf slice would give inf - inf; use 0 as the shift there.
  m = where(eq(abs(m), scalar_tensor(INFINITY, m.options())), zeros_like(m), m);
  Tensor out = add(log(sum(exp(sub(x, m)), dims, true)), m);
  return keepdim ? out : out.reshape(detail::reduced_shape(x.shape(), mask, false));
}

Tensor var(const Tensor& x, const Dims& dims, bool keepdim, std::int64_t correction) {
  detail::check_defined(x, "var", "input");
  detail::check_floating(x, "var");
  const auto mask = detail::reduce_mask(dims, x.dim(), "var");
  const std::int64_t n = reduced_count(x.shape(), mask);
  ADVGRAD_CHECK(n - correction > 0, "var: ", n, " elements with correction ", correction,
                " leave no degrees of freedom");
  Tensor centered = sub(x, mean(x, dims, true));
  return sum(mul(centered, centered), dims, keepdim) / static_cast<double>(n - correction);
}

Tensor norm(const Tensor& x, double p, const Dims& dims, bool keepdim) {
  detail::check_defined(x, "norm", "input");
  detail::check_floating(x, "norm");
  // +inf only: -inf (min |x| in other libraries) is not supported and must not
  // silently give the max.
  if (std::isinf(p) && p > 0) return amax(abs(x), dims, keepdim);
  ADVGRAD_CHECK(p >= 1, "norm: p must be >= 1 or infinity, got ", p);
  if (p == 1) return sum(abs(x), dims, keepdim);
  if (p == 2) return sqrt(sum(mul(x, x), dims, keepdim));
  return pow(sum(pow(abs(x), p), dims, keepdim), 1.0 / p);
}

Tensor norm_per_sample(const Tensor& x, double p) {
  detail::check_defined(x, "norm_per_sample", "input");
  detail::check_floating(x, "norm_per_sample");
  ADVGRAD_CHECK(x.dim() >= 1, "norm_per_sample: expected a batch with a leading dim, got shape ", shape_str(x.shape()));
  Dims dims;
  for (std::int64_t d = 1; d < x.dim(); ++d) dims.push_back(d);
  if (dims.empty()) return abs(x);
  return norm(x, p, dims, false);
}

Tensor sum_to(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  ADVGRAD_CHECK(shape.size() <= x.shape().size(), "sum_to: cannot sum shape ", shape_str(x.shape()), " to ",
                shape_str(shape));
  const std::size_t lead = x.shape().size() - shape.size();
  Dims dims;
  for (std::size_t d = 0; d < x.shape().size(); ++d) {
    if (d < lead) dims.push_back(static_cast<std::int64_t>(d));
    else if (shape[d - lead] == 1 && x.shape()[d] != 1) dims.push_back(static_cast<std::int64_t>(d));
    else
      ADVGRAD_CHECK(shape[d - lead] == x.shape()[d], "sum_to: cannot sum shape ", shape_str(x.shape()), " to ",
                    shape_str(shape));
  }
  if (dims.empty()) return x.reshape(shape);
  return sum(x, dims, true).reshape(shape);
}

}  // namespace advgrad
