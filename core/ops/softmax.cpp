// softmax and log_softmax along any dim.
//
// Forward (stable, m = max_j x_j):
//   softmax(x)_i     = exp(x_i - m) / sum_j exp(x_j - m)
//   log_softmax(x)_i = x_i - m - log sum_j exp(x_j - m)
// Backward, from the saved output y and the incoming gradient g:
//   softmax:     gx = y * (g - sum(g * y, dim))      (the Jacobian is diag(y) - y y^T)
//   log_softmax: gx = g - exp(y) * sum(g, dim)        (the Jacobian is I - 1 softmax^T)
// First-order backward runs one fused kernel; with create_graph the same
// formulas are built from differentiable ops (y is the op's own output, so the
// graph of the gradient reaches x through this node again).
#include "advgrad/core/autograd/node.h"
#include "advgrad/core/ops/op_utils.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/core/ops/softmax_impl.h"

namespace advgrad {

using autograd::FunctionNode;
using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

namespace detail {

kernels::RowLoop make_row_loop(const Shape& shape, int dim, std::initializer_list<const Tensor*> operands,
                               const char* op) {
  ADVGRAD_CHECK(static_cast<int>(shape.size()) <= kernels::kMaxDims, op, ": tensors of more than ",
                kernels::kMaxDims, " dims are not supported, got shape ", shape_str(shape));
  kernels::RowLoop loop;
  loop.n = shape[dim];
  int k = 0;
  for (const Tensor* t : operands) {
    const auto strides = broadcast_strides(t->shape(), t->strides(), shape);
    int r = 0;
    for (int d = 0; d < static_cast<int>(shape.size()); ++d) {
      if (d == dim) {
        loop.dim_strides[k] = strides[d];
        continue;
      }
      loop.rows.sizes[r] = shape[d];
      loop.rows.strides[k][r++] = strides[d];
    }
    loop.rows.ndim = r;
    ++k;
  }
  return loop;
}

Tensor softmax_kernel(const Tensor& x, int dim, bool log) {
  Tensor out = Tensor::empty(x.shape(), x.options());
  backend_of(x).softmax(log, x.dtype(), make_row_loop(x.shape(), dim, {&out, &x}, log ? "log_softmax" : "softmax"),
                        out.raw_data(), x.raw_data());
  return out;
}

}  // namespace detail

namespace {

Tensor softmax_op(const Tensor& x, std::int64_t dim, bool log) {
  const char* name = log ? "log_softmax" : "softmax";
  detail::check_defined(x, name, "input");
  detail::check_floating(x, name);
  if (x.dim() == 0) {
    wrap_dim(dim, 0, name);
    return softmax_op(x.reshape({1}), 0, log).reshape({});
  }
  const int d = wrap_dim(dim, x.dim(), name);
  Tensor out = detail::softmax_kernel(x, d, log);
  if (autograd::any_requires_grad({&x})) {
    auto node = autograd::record(log ? "LogSoftmaxBackward" : "SoftmaxBackward", {x}, {&out},
                                 [d, log](FunctionNode& self, Grads& g, const Needs&) {
                                   Tensor y = self.saved(0);
                                   const Tensor& gy = g[0];
                                   if (autograd::any_requires_grad({&gy, &y})) {  // create_graph
                                     if (log) return Grads{sub(gy, mul(exp(y), sum(gy, {d}, true)))};
                                     return Grads{mul(y, sub(gy, sum(mul(gy, y), {d}, true)))};
                                   }
                                   Tensor gx = Tensor::empty(y.shape(), y.options());
                                   detail::backend_of(y).softmax_backward(
                                       log, y.dtype(),
                                       detail::make_row_loop(y.shape(), d, {&gx, &gy, &y}, "softmax_backward"),
                                       gx.raw_data(), gy.raw_data(), y.raw_data());
                                   return Grads{gx};
                                 });
    node->save(out, true);
  }
  return out;
}

}  // namespace

Tensor softmax(const Tensor& x, std::int64_t dim) { return softmax_op(x, dim, false); }
Tensor log_softmax(const Tensor& x, std::int64_t dim) { return softmax_op(x, dim, true); }

}  // namespace advgrad
