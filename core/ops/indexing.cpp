// Shape and indexing ops: cat, stack, split, index_select, gather, scatter_add,
// one_hot. Backward formulas (all differentiable, so second order works):
//   cat:          the gradient of input i is the slice of g it was copied to
//   stack:        cat of unsqueezed inputs, so the gradient of input i is g.select(dim, i)
//   gather:       dL/dx = scatter_add(x.shape, dim, index, g)   (adjoint of gather)
//   scatter_add:  dL/dsrc = gather(g, dim, index)               (adjoint of scatter_add)
//   index_select: dL/dx = index_add(zeros(x.shape), dim, index, g), whose
//                 own gradient is index_select again.
#include <algorithm>

#include "advgrad/core/autograd/node.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/indexing_impl.h"
#include "advgrad/core/ops/op_utils.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad {

using autograd::FunctionNode;
using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

namespace {

void check_index_tensor(const Tensor& index, const Tensor& like, const char* op, const char* what) {
  detail::check_defined(index, op, what);
  ADVGRAD_CHECK(index.dtype() == DType::Int64, op, ": ", what, " must be int64, got ", dtype_name(index.dtype()),
                " (convert with .to(DType::Int64))");
  detail::check_same_device(index, like, op);
}

// Fills an IndexLoop over `sizes` (contract in kernels/index_params.h).
kernels::IndexLoop make_index_loop(const Shape& sizes, int dim, const std::vector<std::int64_t>& index_strides,
                                   const std::vector<std::int64_t>& dense_strides,
                                   const std::vector<std::int64_t>& indexed_strides, std::int64_t indexed_size,
                                   const char* op) {
  ADVGRAD_CHECK(static_cast<int>(sizes.size()) <= kernels::kMaxDims, op, ": tensors of more than ",
                kernels::kMaxDims, " dims are not supported, got shape ", shape_str(sizes));
  kernels::IndexLoop loop;
  loop.ndim = static_cast<int>(sizes.size());
  loop.dim = dim;
  for (int d = 0; d < loop.ndim; ++d) {
    loop.sizes[d] = sizes[d];
    loop.index_strides[d] = index_strides[d];
    loop.dense_strides[d] = dense_strides[d];
    loop.indexed_strides[d] = indexed_strides[d];
  }
  loop.indexed_size = indexed_size;
  return loop;
}

// gather's shape rule: same rank, index.size(d) <= x.size(d) for d != dim.
void check_fits(const Shape& index_shape, const Shape& shape, int dim, const char* op, const char* what) {
  ADVGRAD_CHECK(index_shape.size() == shape.size(), op, ": index of shape ", shape_str(index_shape),
                " must have as many dims as the ", what, " of shape ", shape_str(shape));
  for (std::size_t d = 0; d < shape.size(); ++d)
    ADVGRAD_CHECK(static_cast<int>(d) == dim || index_shape[d] <= shape[d], op, ": index of shape ",
                  shape_str(index_shape), " does not fit the ", what, " of shape ", shape_str(shape), " (dim ", d,
                  ": ", index_shape[d], " > ", shape[d], "; only dim ", dim, " may differ)");
}

Tensor scatter_add_impl(const Shape& shape, int d, const Tensor& index, const Tensor& src);

// Gather along d; `labels` selects the loss-style error message of `op`.
Tensor gather_impl(const Tensor& x, int d, const Tensor& index, const char* op, bool labels) {
  Tensor out = Tensor::empty(index.shape(), x.options());
  const auto loop = make_index_loop(index.shape(), d, index.strides(), out.strides(), x.strides(),
                                    x.shape()[d], op);
  const auto status = detail::backend_of(x).gather(x.dtype(), loop, out.raw_data(), x.raw_data(),
                                                   index.device_data<std::int64_t>());
  if (!status.ok()) {
    if (labels) detail::fail_label(op, status.value, x.shape()[d]);
    detail::fail(op, ": index ", status.value, " is out of range for dim ", d, " of size ", x.shape()[d],
                 " (input shape ", shape_str(x.shape()), ")");
  }
  if (autograd::any_requires_grad({&x})) {
    const Shape x_shape = x.shape();
    auto backward = [x_shape, d](FunctionNode& self, Grads& g, const Needs&) {
      return Grads{scatter_add_impl(x_shape, d, self.saved(0), g[0])};
    };
    auto node = autograd::record("GatherBackward", {x}, {&out}, backward);
    node->save(index, false);
  }
  return out;
}

Tensor scatter_add_impl(const Shape& shape, int d, const Tensor& index, const Tensor& src) {
  Tensor out = zeros(shape, src.options());
  const auto loop = make_index_loop(index.shape(), d, index.strides(), src.strides(), out.strides(),
                                    shape[d], "scatter_add");
  const auto status = detail::backend_of(src).scatter_add(src.dtype(), loop, out.raw_data(), src.raw_data(),
                                                          index.device_data<std::int64_t>());
  ADVGRAD_CHECK(status.ok(), "scatter_add: index ", status.value, " is out of range for dim ", d, " of size ",
                shape[d], " (output shape ", shape_str(shape), ")");
  if (autograd::any_requires_grad({&src})) {
    auto node = autograd::record("ScatterAddBackward", {src}, {&out}, [d](FunctionNode& self, Grads& g, const Needs&) {
      return Grads{gather_impl(g[0], d, self.saved(0), "gather", false)};
    });
    node->save(index, false);
  }
  return out;
}

// index_select's index as strides over `sizes`: it varies along d only.
std::vector<std::int64_t> select_index_strides(const Tensor& index, std::size_t ndim, int d) {
  std::vector<std::int64_t> s(ndim, 0);
  s[d] = index.dim() == 1 ? index.strides()[0] : 0;
  return s;
}

Tensor index_select_impl(const Tensor& x, int d, const Tensor& index);

// out = zeros(shape); out[..., index[k], ...] += src[..., k, ...] along d.
Tensor index_add_impl(const Shape& shape, int d, const Tensor& index, const Tensor& src) {
  Tensor out = zeros(shape, src.options());
  const auto loop = make_index_loop(src.shape(), d, select_index_strides(index, shape.size(), d), src.strides(),
                                    out.strides(), shape[d], "index_select");
  const auto status = detail::backend_of(src).scatter_add(src.dtype(), loop, out.raw_data(), src.raw_data(),
                                                          index.device_data<std::int64_t>());
  ADVGRAD_CHECK(status.ok(), "index_select: index ", status.value, " is out of range for dim ", d, " of size ",
                shape[d]);
  if (autograd::any_requires_grad({&src})) {
    auto node = autograd::record("IndexAddBackward", {src}, {&out}, [d](FunctionNode& self, Grads& g, const Needs&) {
      return Grads{index_select_impl(g[0], d, self.saved(0))};
    });
    node->save(index, false);
  }
  return out;
}

Tensor index_select_impl(const Tensor& x, int d, const Tensor& index) {
  Shape shape = x.shape();
  shape[d] = index.numel();
  Tensor out = Tensor::empty(shape, x.options());
  const auto loop = make_index_loop(shape, d, select_index_strides(index, shape.size(), d), out.strides(),
                                    x.strides(), x.shape()[d], "index_select");
  const auto status = detail::backend_of(x).gather(x.dtype(), loop, out.raw_data(), x.raw_data(),
                                                   index.device_data<std::int64_t>());
  ADVGRAD_CHECK(status.ok(), "index_select: index ", status.value, " is out of range for dim ", d, " of size ",
                x.shape()[d], " (input shape ", shape_str(x.shape()), ")");
  if (autograd::any_requires_grad({&x})) {
    const Shape x_shape = x.shape();
    auto backward = [x_shape, d](FunctionNode& self, Grads& g, const Needs&) {
      return Grads{index_add_impl(x_shape, d, self.saved(0), g[0])};
    };
    auto node = autograd::record("IndexSelectBackward", {x}, {&out}, backward);
    node->save(index, false);
  }
  return out;
}

}  // namespace

// ---- concatenation ----
Tensor cat(const std::vector<Tensor>& tensors, std::int64_t dim) {
  ADVGRAD_CHECK(!tensors.empty(), "cat: expected at least one tensor, got none");
  for (const auto& t : tensors) detail::check_defined(t, "cat", "an input");
  const Tensor& first = tensors[0];
  ADVGRAD_CHECK(first.dim() >= 1, "cat: cannot concatenate 0-dim tensors (use stack)");
  const int d = wrap_dim(dim, first.dim(), "cat");
  Shape shape = first.shape();
  shape[d] = 0;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    ADVGRAD_CHECK(t.dtype() == first.dtype(), "cat: tensor ", i, " is ", dtype_name(t.dtype()), ", tensor 0 is ",
                  dtype_name(first.dtype()), " (convert with .to(dtype))");
    detail::check_same_device(t, first, "cat");
    bool fits = t.dim() == first.dim();
    for (int k = 0; fits && k < first.dim(); ++k) fits = k == d || t.shape()[k] == first.shape()[k];
    ADVGRAD_CHECK(fits, "cat: tensor ", i, " has shape ", shape_str(t.shape()),
                  ", which does not match tensor 0 of shape ", shape_str(first.shape()), " in every dim but ", d);
    shape[d] += t.shape()[d];
  }
  Tensor out = Tensor::empty(shape, first.options());
  std::vector<std::int64_t> starts, lengths;
  {
    NoGradGuard no_grad;
    std::int64_t start = 0;
    for (const auto& t : tensors) {
      out.narrow(d, start, t.shape()[d]).copy_(t);
      starts.push_back(start);
      lengths.push_back(t.shape()[d]);
      start += t.shape()[d];
    }
  }
  if (autograd::any_requires_grad(tensors)) {
    autograd::record("CatBackward", tensors, {&out}, [d, starts, lengths](FunctionNode&, Grads& g, const Needs& needs) {
      Grads grads(starts.size());
      for (std::size_t i = 0; i < starts.size(); ++i)
        if (needs[i]) grads[i] = g[0].narrow(d, starts[i], lengths[i]);
      return grads;
    });
  }
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, std::int64_t dim) {
  ADVGRAD_CHECK(!tensors.empty(), "stack: expected at least one tensor, got none");
  for (const auto& t : tensors) detail::check_defined(t, "stack", "an input");
  for (std::size_t i = 1; i < tensors.size(); ++i)
    ADVGRAD_CHECK(tensors[i].shape() == tensors[0].shape(), "stack: tensor ", i, " has shape ",
                  shape_str(tensors[i].shape()), ", tensor 0 has ", shape_str(tensors[0].shape()),
                  " (all must have the same shape)");
  const int d = wrap_dim(dim, tensors[0].dim() + 1, "stack");
  std::vector<Tensor> expanded;
  expanded.reserve(tensors.size());
  for (const auto& t : tensors) expanded.push_back(t.unsqueeze(d));
  return cat(expanded, d);
}

std::vector<Tensor> split(const Tensor& x, std::int64_t size, std::int64_t dim) {
  detail::check_defined(x, "split", "input");
  ADVGRAD_CHECK(size > 0, "split: size must be positive, got ", size);
  ADVGRAD_CHECK(x.dim() >= 1, "split: cannot split a 0-dim tensor");
  const int d = wrap_dim(dim, x.dim(), "split");
  const std::int64_t n = x.shape()[d];
  if (n == 0) return {x};
  std::vector<Tensor> parts;
  for (std::int64_t start = 0; start < n; start += size) parts.push_back(x.narrow(d, start, std::min(size, n - start)));
  return parts;
}

// ---- gather / scatter ----
Tensor index_select(const Tensor& x, std::int64_t dim, const Tensor& index) {
  detail::check_defined(x, "index_select", "input");
  check_index_tensor(index, x, "index_select", "index");
  ADVGRAD_CHECK(x.dim() >= 1, "index_select: cannot index a 0-dim tensor");
  ADVGRAD_CHECK(index.dim() <= 1, "index_select: index must be 1-D, got shape ", shape_str(index.shape()));
  return index_select_impl(x, wrap_dim(dim, x.dim(), "index_select"), index);
}

Tensor gather(const Tensor& x, std::int64_t dim, const Tensor& index) {
  detail::check_defined(x, "gather", "input");
  check_index_tensor(index, x, "gather", "index");
  ADVGRAD_CHECK(x.dim() >= 1, "gather: cannot index a 0-dim tensor");
  const int d = wrap_dim(dim, x.dim(), "gather");
  check_fits(index.shape(), x.shape(), d, "gather", "input");
  return gather_impl(x, d, index, "gather", false);
}

Tensor scatter_add(const Shape& shape, std::int64_t dim, const Tensor& index, const Tensor& src) {
  detail::check_defined(src, "scatter_add", "src");
  check_index_tensor(index, src, "scatter_add", "index");
  ADVGRAD_CHECK(!shape.empty(), "scatter_add: cannot scatter into a 0-dim tensor");
  for (auto s : shape) ADVGRAD_CHECK(s >= 0, "scatter_add: negative size in shape ", shape_str(shape));
  const int d = wrap_dim(dim, static_cast<std::int64_t>(shape.size()), "scatter_add");
  ADVGRAD_CHECK(src.shape() == index.shape(), "scatter_add: src of shape ", shape_str(src.shape()),
                " must have the shape of the index ", shape_str(index.shape()));
  check_fits(index.shape(), shape, d, "scatter_add", "output");
  return scatter_add_impl(shape, d, index, src);
}

Tensor one_hot(const Tensor& labels, std::int64_t num_classes, DType dtype) {
  check_index_tensor(labels, labels, "one_hot", "labels");
  if (num_classes < 0) {  // -1: one more than the largest label (read on the host)
    ADVGRAD_CHECK(num_classes == -1, "one_hot: num_classes must be positive or -1 (infer), got ", num_classes);
    ADVGRAD_CHECK(labels.numel() > 0, "one_hot: cannot infer num_classes from empty labels");
    const auto v = labels.to_int_vector();
    num_classes = *std::max_element(v.begin(), v.end()) + 1;
  }
  ADVGRAD_CHECK(num_classes > 0, "one_hot: num_classes must be positive, got ", num_classes);
  Shape shape = labels.shape();
  shape.push_back(num_classes);
  Tensor out = zeros(shape, labels.options().with_dtype(dtype));
  Tensor one = scalar_tensor(1.0, out.options());
  // A scatter-add of a broadcast 1 at labels along the new last dim.
  const std::size_t nd = shape.size();
  Shape sizes = labels.shape();
  sizes.push_back(1);
  std::vector<std::int64_t> index_strides = labels.strides();
  index_strides.push_back(0);
  const auto loop = make_index_loop(sizes, static_cast<int>(nd - 1), index_strides, std::vector<std::int64_t>(nd, 0),
                                    out.strides(), num_classes, "one_hot");
  const auto status = detail::backend_of(out).scatter_add(dtype, loop, out.raw_data(), one.raw_data(),
                                                          labels.device_data<std::int64_t>());
  if (!status.ok()) detail::fail_label("one_hot", status.value, num_classes);
  return out;
}

// ---- helpers for the losses ----
namespace detail {

void fail_label(const char* op, std::int64_t label, std::int64_t classes) {
  fail(op, ": label ", label, " is out of range for ", classes, " classes (labels must be in [0, ", classes, "))");
}

void check_labels(const Tensor& input, const Tensor& labels, const char* op) {
  check_defined(input, op, "input");
  ADVGRAD_CHECK(input.dim() >= 2, op, ": expected input of shape [N, C] or [N, C, d1, ...], got ",
                shape_str(input.shape()));
  check_defined(labels, op, "labels");
  ADVGRAD_CHECK(labels.dtype() == DType::Int64, op, ": labels must be int64, got ", dtype_name(labels.dtype()),
                " (convert with .to(DType::Int64))");
  check_same_device(labels, input, op);
  Shape expected = input.shape();
  expected.erase(expected.begin() + 1);
  ADVGRAD_CHECK(labels.shape() == expected, op, ": expected labels of shape ", shape_str(expected),
                " for input of shape ", shape_str(input.shape()), ", got ", shape_str(labels.shape()));
}

Tensor gather_labels(const Tensor& input, const Tensor& labels, const char* op) {
  return gather_impl(input, 1, labels.unsqueeze(1), op, true).squeeze(1);
}

}  // namespace detail

}  // namespace advgrad
