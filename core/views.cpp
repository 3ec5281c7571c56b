// Views: new shape/strides/offset over the same storage, no copy. Each view
// records a backward that maps the gradient back to the base's shape.
#include <numeric>
#include <optional>

#include "advgrad/core/autograd/node.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/op_utils.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/core/tensor.h"

namespace advgrad {
namespace {

using autograd::FunctionNode;
using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

Tensor make_view(const Tensor& base, Shape shape, std::vector<std::int64_t> strides, std::int64_t offset) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = base.impl()->storage;
  impl->shape = std::move(shape);
  impl->strides = std::move(strides);
  impl->offset = offset;
  impl->dtype = base.dtype();
  return Tensor(std::move(impl));
}

// Resolves one -1 in a requested shape and checks the element count.
Shape infer_shape(const Shape& requested, std::int64_t numel, const Shape& from, const char* op) {
  Shape shape = requested;
  int infer = -1;
  std::int64_t known = 1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      ADVGRAD_CHECK(infer < 0, op, ": only one dimension can be -1, got ", shape_str(requested));
      infer = static_cast<int>(i);
    } else {
      ADVGRAD_CHECK(shape[i] >= 0, op, ": invalid size ", shape[i], " in ", shape_str(requested));
      known *= shape[i];
    }
  }
  if (infer >= 0) {
    ADVGRAD_CHECK(known != 0 && numel % known == 0, op, ": shape ", shape_str(requested),
                  " is invalid for input of shape ", shape_str(from));
    shape[infer] = numel / known;
  }
  ADVGRAD_CHECK(numel_of(shape) == numel, op, ": shape ", shape_str(requested), " is invalid for input of shape ",
                shape_str(from), " (", numel, " elements)");
  return shape;
}

// Strides that let `new_shape` view data laid out as (old_shape, old_strides),
// or nullopt when the data would need a copy. Groups of old dims that are
// contiguous with each other ("chunks") can be split or merged freely.
std::optional<std::vector<std::int64_t>> view_strides(const Shape& old_shape, const std::vector<std::int64_t>& old_strides,
                                                      const Shape& new_shape) {
  if (old_shape.empty() || numel_of(old_shape) == 0) return contiguous_strides(new_shape);
  std::vector<std::int64_t> out(new_shape.size());
  std::int64_t view_d = static_cast<std::int64_t>(new_shape.size()) - 1;
  std::int64_t chunk_stride = old_strides.back();
  std::int64_t tensor_numel = 1, view_numel = 1;
  for (std::int64_t d = static_cast<std::int64_t>(old_shape.size()) - 1; d >= 0; --d) {
    tensor_numel *= old_shape[d];
    const bool chunk_ends = d == 0 || (old_shape[d - 1] != 1 && old_strides[d - 1] != tensor_numel * chunk_stride);
    if (!chunk_ends) continue;
    while (view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d] == 1)) {
      out[view_d] = view_numel * chunk_stride;
      view_numel *= new_shape[view_d];
      --view_d;
    }
    if (view_numel != tensor_numel) return std::nullopt;
    if (d > 0) {
      chunk_stride = old_strides[d - 1];
      tensor_numel = 1;
      view_numel = 1;
    }
  }
  if (view_d != -1) return std::nullopt;
  return out;
}

void record_reshape_backward(const Tensor& in, Tensor& out, const char* name) {
  if (!autograd::any_requires_grad({&in})) return;
  const Shape in_shape = in.shape();
  autograd::record(name, {in}, {&out}, [in_shape](FunctionNode&, Grads& g, const Needs&) {
    return Grads{g[0].reshape(in_shape)};
  });
}

}  // namespace

Tensor Tensor::view(const Shape& requested) const {
  const Shape shape = infer_shape(requested, numel(), this->shape(), "view");
  auto strides = view_strides(this->shape(), this->strides(), shape);
  ADVGRAD_CHECK(strides.has_value(), "view: shape ", shape_str(requested), " is incompatible with the strides of ",
                "input ", shape_str(this->shape()), " (not contiguous); use reshape(), which copies");
  Tensor out = make_view(*this, shape, *strides, offset());
  record_reshape_backward(*this, out, "ViewBackward");
  return out;
}

Tensor Tensor::reshape(const Shape& requested) const {
  const Shape shape = infer_shape(requested, numel(), this->shape(), "reshape");
  if (view_strides(this->shape(), this->strides(), shape)) return view(shape);
  return contiguous().view(shape);
}

Tensor Tensor::flatten(std::int64_t start_dim, std::int64_t end_dim) const {
  if (dim() == 0) return reshape({1});
  const int s = wrap_dim(start_dim, dim(), "flatten"), e = wrap_dim(end_dim, dim(), "flatten");
  ADVGRAD_CHECK(s <= e, "flatten: start_dim ", start_dim, " comes after end_dim ", end_dim);
  Shape shape(this->shape().begin(), this->shape().begin() + s);
  std::int64_t n = 1;
  for (int d = s; d <= e; ++d) n *= this->shape()[d];
  shape.push_back(n);
  shape.insert(shape.end(), this->shape().begin() + e + 1, this->shape().end());
  return reshape(shape);
}

Tensor Tensor::permute(const std::vector<std::int64_t>& dims) const {
  ADVGRAD_CHECK(static_cast<std::int64_t>(dims.size()) == dim(), "permute: got ", dims.size(),
                " dims for a tensor of shape ", shape_str(shape()));
  std::vector<int> seen(dims.size(), 0);
  Shape shape(dims.size());
  std::vector<std::int64_t> strides(dims.size());
  std::vector<std::int64_t> inverse(dims.size());
  for (std::size_t i = 0; i < dims.size(); ++i) {
    const int d = wrap_dim(dims[i], dim(), "permute");
    ADVGRAD_CHECK(!seen[d]++, "permute: dim ", dims[i], " repeated in ", shape_str(dims));
    shape[i] = this->shape()[d];
    strides[i] = this->strides()[d];
    inverse[d] = static_cast<std::int64_t>(i);
  }
  Tensor out = make_view(*this, shape, strides, offset());
  if (autograd::any_requires_grad({this}))
    autograd::record("PermuteBackward", {*this}, {&out}, [inverse](FunctionNode&, Grads& g, const Needs&) {
      return Grads{g[0].permute(inverse)};
    });
  return out;
}

Tensor Tensor::transpose(std::int64_t d0, std::int64_t d1) const {
  std::vector<std::int64_t> dims(static_cast<std::size_t>(dim()));
  std::iota(dims.begin(), dims.end(), 0);
  if (dim() == 0) return *this;
  std::swap(dims[wrap_dim(d0, dim(), "transpose")], dims[wrap_dim(d1, dim(), "transpose")]);
  return permute(dims);
}

Tensor Tensor::t() const {
  ADVGRAD_CHECK(dim() <= 2, "t: expected a tensor with at most 2 dims, got shape ", shape_str(shape()));
  return dim() < 2 ? *this : transpose(0, 1);
}

namespace {
// The adjoint of slice: a zero tensor of `shape` with `g` written into the slice.
Tensor slice_backward(const Tensor& g, const Shape& shape, int dim, std::int64_t start, std::int64_t end,
                      std::int64_t step) {
  Tensor out = zeros(shape, g.options());
  {
    NoGradGuard no_grad;
    out.slice(dim, start, end, step).copy_(g);
  }
  if (autograd::any_requires_grad({&g}))
    autograd::record("SliceBackwardBackward", {g}, {&out}, [dim, start, end, step](FunctionNode&, Grads& gg, const Needs&) {
      return Grads{gg[0].slice(dim, start, end, step)};
    });
  return out;
}
}  // namespace

Tensor Tensor::slice(std::int64_t d, std::int64_t start, std::int64_t end, std::int64_t step) const {
  ADVGRAD_CHECK(dim() > 0, "slice: cannot slice a 0-dim tensor");
  const int w = wrap_dim(d, dim(), "slice");
  ADVGRAD_CHECK(step > 0, "slice: step must be positive, got ", step);
  const std::int64_t n = shape()[w];
  if (start < 0) start += n;
  if (end < 0) end += n;
  start = std::clamp<std::int64_t>(start, 0, n);
  end = std::clamp<std::int64_t>(end, start, n);
  Shape shape = this->shape();
  std::vector<std::int64_t> strides = this->strides();
  shape[w] = (end - start + step - 1) / step;
  strides[w] *= step;
  Tensor out = make_view(*this, shape, strides, offset() + start * this->strides()[w]);
  if (autograd::any_requires_grad({this})) {
    const Shape in_shape = this->shape();
    autograd::record("SliceBackward", {*this}, {&out}, [in_shape, w, start, end, step](FunctionNode&, Grads& g, const Needs&) {
      return Grads{slice_backward(g[0], in_shape, w, start, end, step)};
    });
  }
  return out;
}

Tensor Tensor::narrow(std::int64_t d, std::int64_t start, std::int64_t length) const {
  ADVGRAD_CHECK(dim() > 0, "narrow: cannot narrow a 0-dim tensor");
  const int w = wrap_dim(d, dim(), "narrow");
  ADVGRAD_CHECK(start >= 0 && length >= 0 && start + length <= shape()[w], "narrow: range [", start, ", ",
                start + length, ") is out of bounds for dim ", d, " of size ", shape()[w]);
  return slice(w, start, start + length);
}

Tensor Tensor::select(std::int64_t d, std::int64_t index) const {
  ADVGRAD_CHECK(dim() > 0, "select: cannot select from a 0-dim tensor");
  const int w = wrap_dim(d, dim(), "select");
  const std::int64_t n = shape()[w];
  ADVGRAD_CHECK(index >= -n && index < n, "select: index ", index, " is out of range for dim ", d, " of size ", n);
  if (index < 0) index += n;
  return slice(w, index, index + 1).squeeze(w);
}

Tensor Tensor::squeeze() const {
  Shape shape;
  for (auto s : this->shape())
    if (s != 1) shape.push_back(s);
  return shape.size() == this->shape().size() ? *this : reshape(shape);
}

Tensor Tensor::squeeze(std::int64_t d) const {
  if (dim() == 0) return *this;
  const int w = wrap_dim(d, dim(), "squeeze");
  if (shape()[w] != 1) return *this;
  Shape shape = this->shape();
  shape.erase(shape.begin() + w);
  return reshape(shape);
}

Tensor Tensor::unsqueeze(std::int64_t d) const {
  const int w = wrap_dim(d, dim() + 1, "unsqueeze");
  Shape shape = this->shape();
  shape.insert(shape.begin() + w, 1);
  return reshape(shape);
}

Tensor Tensor::expand(const Shape& requested) const {
  ADVGRAD_CHECK(requested.size() >= this->shape().size(), "expand: cannot expand shape ", shape_str(this->shape()),
                " to fewer dims ", shape_str(requested));
  const std::size_t lead = requested.size() - this->shape().size();
  Shape shape(requested.size());
  std::vector<std::int64_t> strides(requested.size(), 0);
  for (std::size_t i = 0; i < requested.size(); ++i) {
    if (i < lead) {
      ADVGRAD_CHECK(requested[i] >= 0, "expand: new leading dim ", i, " must be given explicitly in ",
                    shape_str(requested));
      shape[i] = requested[i];
      continue;
    }
    const std::int64_t have = this->shape()[i - lead];
    const std::int64_t want = requested[i] == -1 ? have : requested[i];
    ADVGRAD_CHECK(want >= 0, "expand: invalid size ", requested[i], " at dim ", i, " in ", shape_str(requested));
    ADVGRAD_CHECK(want == have || have == 1, "expand: size ", have, " at dim ", i - lead, " of ",
                  shape_str(this->shape()), " cannot be expanded to ", shape_str(requested));
    shape[i] = want;
    strides[i] = want == have ? this->strides()[i - lead] : 0;
  }
  Tensor out = make_view(*this, shape, strides, offset());
  if (autograd::any_requires_grad({this})) {
    const Shape in_shape = this->shape();
    autograd::record("ExpandBackward", {*this}, {&out}, [in_shape](FunctionNode&, Grads& g, const Needs&) {
      return Grads{sum_to(g[0], in_shape)};
    });
  }
  return out;
}

}  // namespace advgrad
