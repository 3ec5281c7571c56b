// Tensor: metadata, host access, autograd entry points, copies and in-place ops.
// Views live in core/views.cpp, factories in core/factories.cpp.
#include "advgrad/core/tensor.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "advgrad/core/autograd/engine.h"
#include "advgrad/core/autograd/node.h"
#include "advgrad/core/backend/backend.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/op_utils.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad {

Tensor Tensor::empty(const Shape& shape, TensorOptions options) {
  for (auto s : shape) ADVGRAD_CHECK(s >= 0, "empty: negative size in shape ", shape_str(shape));
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = Storage::allocate(static_cast<std::size_t>(numel_of(shape)) * dtype_size(options.dtype),
                                    options.device);
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = options.dtype;
  Tensor t(std::move(impl));
  if (options.requires_grad) t.requires_grad_(true);
  return t;
}

TensorImpl& Tensor::checked() const {
  ADVGRAD_CHECK(impl_ != nullptr, "Tensor: operation on an undefined tensor");
  return *impl_;
}

std::int64_t Tensor::size(std::int64_t d) const {
  // wrap_dim accepts dim 0 / -1 for a 0-dim tensor, which has no size to index.
  ADVGRAD_CHECK(dim() > 0, "size: a 0-dim tensor has no dims (asked for dim ", d, ")");
  return shape()[wrap_dim(d, dim(), "size")];
}

bool Tensor::is_contiguous() const {
  const auto& s = shape();
  const auto& st = strides();
  std::int64_t expected = 1;
  for (std::size_t i = s.size(); i-- > 0;) {
    if (s[i] == 1) continue;
    if (st[i] != expected) return false;
    expected *= s[i];
  }
  return true;
}

void* Tensor::raw_data() const {
  const auto& impl = checked();
  return static_cast<char*>(impl.storage->data()) + impl.offset * static_cast<std::int64_t>(dtype_size(impl.dtype));
}

// ---- host access ----
namespace {
// A contiguous CPU copy of t (t itself when it already is one).
Tensor host_contiguous(const Tensor& t) {
  NoGradGuard no_grad;
  Tensor c = t.device().is_cpu() ? t : t.to(Device::cpu());
  return c.contiguous();
}
}  // namespace

template <typename T>
std::vector<T> Tensor::to_vector() const {
  ADVGRAD_CHECK(dtype() == dtype_of<T>::value, "to_vector: tensor is ", dtype_name(dtype()), ", asked for ",
                dtype_name(dtype_of<T>::value));
  Tensor c = host_contiguous(*this);
  const T* p = c.data<T>();
  return std::vector<T>(p, p + c.numel());
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<std::int64_t> Tensor::to_vector<std::int64_t>() const;

std::vector<double> Tensor::to_double_vector() const {
  Tensor c = host_contiguous(*this);
  std::vector<double> out(static_cast<std::size_t>(c.numel()));
  dispatch_all(dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = c.data<T>();
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(p[i]);
  });
  return out;
}

std::vector<std::int64_t> Tensor::to_int_vector() const {
  if (dtype() == DType::Int64) return to_vector<std::int64_t>();  // exact beyond 2^53
  const auto d = to_double_vector();
  return std::vector<std::int64_t>(d.begin(), d.end());
}

double Tensor::item() const {
  ADVGRAD_CHECK(numel() == 1, "item: expected a tensor with one element, got shape ", shape_str(shape()));
  return to_double_vector()[0];
}

double Tensor::at(std::initializer_list<std::int64_t> index) const {
  ADVGRAD_CHECK(static_cast<std::int64_t>(index.size()) == dim(), "at: got ", index.size(),
                " indices for a tensor of shape ", shape_str(shape()));
  std::int64_t off = 0, d = 0;
  for (auto i : index) {
    ADVGRAD_CHECK(i >= 0 && i < shape()[d], "at: index ", i, " out of range for dim ", d, " of shape ",
                  shape_str(shape()));
    off += i * strides()[d++];
  }
  auto impl = std::make_shared<TensorImpl>(checked());
  impl->grad_fn = nullptr;
  impl->grad = nullptr;
  impl->requires_grad = false;
  impl->hooks.clear();
  impl->shape = {};
  impl->strides = {};
  impl->offset += off;
  return Tensor(impl).item();
}

std::string Tensor::str() const {
  std::ostringstream os;
  os << *this;
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  if (!t.defined()) return os << "tensor(undefined)";
  const auto values = t.to_double_vector();
  const Shape& shape = t.shape();
  const bool integral = t.dtype() == DType::Int64;
  constexpr std::int64_t kEdge = 3;  // elements shown at each end of a long dim
  std::ostringstream body;
  body << std::setprecision(4);
  // Recursive over dims, but bounded by the tensor rank (<= 8).
  std::function<void(std::size_t, std::int64_t, int)> print = [&](std::size_t d, std::int64_t base, int indent) {
    if (d == shape.size()) {
      if (integral) body << static_cast<std::int64_t>(values[base]);
      else body << values[base];
      return;
    }
    const std::int64_t n = shape[d];
    const std::int64_t stride = numel_of(Shape(shape.begin() + d + 1, shape.end()));
    body << '[';
    for (std::int64_t i = 0; i < n; ++i) {
      if (n > 2 * kEdge + 1 && i == kEdge) {
        body << "...";
        i = n - kEdge - 1;
        body << (d + 1 == shape.size() ? ", " : ",\n" + std::string(indent + 1, ' '));
        continue;
      }
      print(d + 1, base + i * stride, indent + 1);
      if (i + 1 < n) body << (d + 1 == shape.size() ? ", " : ",\n" + std::string(indent + 1, ' '));
    }
    body << ']';
  };
  print(0, 0, 7);
  os << "tensor(" << body.str() << ", shape=" << shape_str(shape) << ", dtype=" << dtype_name(t.dtype());
  if (!t.device().is_cpu()) os << ", device=" << t.device().str();
  if (t.requires_grad()) os << (t.grad_fn() ? ", grad_fn=" + t.grad_fn()->name() : ", requires_grad=true");
  return os << ')';
}

// ---- autograd ----
bool Tensor::requires_grad() const {
  const auto& impl = checked();
  return impl.requires_grad || impl.grad_fn != nullptr;
}

Tensor& Tensor::requires_grad_(bool enabled) {
  auto& impl = checked();
  ADVGRAD_CHECK(impl.grad_fn == nullptr, "requires_grad_: only leaf tensors can change requires_grad (this one "
                "was made by '", impl.grad_fn ? impl.grad_fn->name() : "", "'); use detach() first");
  ADVGRAD_CHECK(!enabled || is_floating(impl.dtype), "requires_grad_: only floating-point tensors can require "
                "grad, got ", dtype_name(impl.dtype));
  impl.requires_grad = enabled;
  return *this;
}

Tensor Tensor::grad() const {
  const auto& g = checked().grad;
  return g ? Tensor(g) : Tensor();
}

void Tensor::set_grad(const Tensor& g) const {
  if (g.defined()) {
    ADVGRAD_CHECK(g.shape() == shape(), "set_grad: gradient shape ", shape_str(g.shape()),
                  " does not match tensor shape ", shape_str(shape()));
    // Backward accumulates into .grad in place: it must have the tensor's dtype and device.
    ADVGRAD_CHECK(g.dtype() == dtype() && g.device() == device(), "set_grad: gradient of dtype ",
                  dtype_name(g.dtype()), " on ", g.device().str(), " for a tensor of dtype ", dtype_name(dtype()),
                  " on ", device().str());
  }
  checked().grad = g.impl();
}

void Tensor::zero_grad() const { checked().grad = nullptr; }

Tensor Tensor::detach() const {
  auto impl = std::make_shared<TensorImpl>();
  const auto& src = checked();
  impl->storage = src.storage;
  impl->shape = src.shape;
  impl->strides = src.strides;
  impl->offset = src.offset;
  impl->dtype = src.dtype;
  return Tensor(impl);
}

void Tensor::backward(const Tensor& gradient, bool retain_graph, bool create_graph) const {
  autograd::backward({*this}, gradient.defined() ? std::vector<Tensor>{gradient} : std::vector<Tensor>{},
                     retain_graph, create_graph);
}

int Tensor::register_hook(GradHook hook) const {
  auto& impl = checked();
  ADVGRAD_CHECK(requires_grad(), "register_hook: the tensor does not require grad, so no gradient will reach it");
  if (impl.grad_fn) return impl.grad_fn->add_hook(impl.output_nr, std::move(hook));
  const int id = autograd::new_hook_id();
  impl.hooks.emplace_back(id, std::move(hook));
  return id;
}

void Tensor::remove_hook(int id) const {
  auto& impl = checked();
  if (impl.grad_fn) impl.grad_fn->remove_hook(id);
  std::erase_if(impl.hooks, [id](const auto& h) { return h.first == id; });
}

void Tensor::retain_grad() const {
  auto& impl = checked();
  ADVGRAD_CHECK(requires_grad(), "retain_grad: the tensor does not require grad");
  if (!impl.grad_fn || impl.retains_grad) return;  // leaves keep .grad anyway
  impl.retains_grad = true;
  std::weak_ptr<TensorImpl> weak = impl_;
  register_hook([weak](const Tensor& g) {
    if (auto self = weak.lock()) {
      if (!self->grad) self->grad = (GradMode::is_enabled() ? g : g.detach().clone()).impl();
      else self->grad = (Tensor(self->grad) + g).impl();
    }
    return Tensor();
  });
}

// ---- copies ----
Tensor Tensor::contiguous() const {
  if (is_contiguous()) return *this;
  return clone();
}

Tensor Tensor::clone() const {
  Tensor out = Tensor::empty(shape(), options());
  {
    NoGradGuard no_grad;
    detail::backend_of(*this).cast(dtype(), dtype(), detail::make_loop(shape(), {&out, this}, "clone"),
                                   out.raw_data(), raw_data());
  }
  if (autograd::any_requires_grad({this}))
    autograd::record("CloneBackward", {*this}, {&out},
                     [](autograd::FunctionNode&, std::vector<Tensor>& g, const std::vector<bool>&) {
                       return std::vector<Tensor>{g[0]};
                     });
  return out;
}

Tensor Tensor::to(DType target) const {
  if (target == dtype()) return *this;
  ADVGRAD_CHECK(!(requires_grad() && GradMode::is_enabled()) || is_floating(target),
                "to: cannot convert a tensor that requires grad to ", dtype_name(target));
  Tensor out = Tensor::empty(shape(), options().with_dtype(target));
  detail::backend_of(*this).cast(target, dtype(), detail::make_loop(shape(), {&out, this}, "to"), out.raw_data(),
                                 raw_data());
  if (autograd::any_requires_grad({this})) {
    const DType source = dtype();
    autograd::record("ToDtypeBackward", {*this}, {&out},
                     [source](autograd::FunctionNode&, std::vector<Tensor>& g, const std::vector<bool>&) {
                       return std::vector<Tensor>{g[0].to(source)};
                     });
  }
  return out;
}

Tensor Tensor::to(Device target) const {
  if (target == device()) return *this;
  Tensor src = [&] {
    NoGradGuard no_grad;
    return contiguous();
  }();
  Tensor out = Tensor::empty(shape(), options().with_device(target));
  const std::size_t nbytes = static_cast<std::size_t>(numel()) * dtype_size(dtype());
  if (device().is_cpu()) {
    backend_for(target).copy_from_host(out.raw_data(), src.raw_data(), nbytes, target);
  } else if (target.is_cpu()) {
    backend_for(device()).copy_to_host(out.raw_data(), src.raw_data(), nbytes, device());
  } else {
    std::vector<char> staging(nbytes);
    backend_for(device()).copy_to_host(staging.data(), src.raw_data(), nbytes, device());
    backend_for(target).copy_from_host(out.raw_data(), staging.data(), nbytes, target);
  }
  if (autograd::any_requires_grad({this})) {
    const Device source = device();
    autograd::record("ToDeviceBackward", {*this}, {&out},
                     [source](autograd::FunctionNode&, std::vector<Tensor>& g, const std::vector<bool>&) {
                       return std::vector<Tensor>{g[0].to(source)};
                     });
  }
  return out;
}

// ---- in place ----
void Tensor::bump_version() const { checked().storage->bump_version(); }

Tensor& Tensor::zero_() { return fill_(0.0); }

Tensor& Tensor::fill_(double value) {
  detail::check_inplace(*this, "fill_");
  if (is_contiguous()) {
    detail::backend_of(*this).fill(dtype(), raw_data(), numel(), value);
  } else {
    Tensor v = scalar_tensor(value, options());
    detail::backend_of(*this).cast(dtype(), dtype(), detail::make_loop(shape(), {this, &v}, "fill_"), raw_data(),
                                   v.raw_data());
  }
  bump_version();
  return *this;
}

Tensor& Tensor::copy_(const Tensor& src_in) {
  detail::check_inplace(*this, "copy_");
  detail::check_defined(src_in, "copy_", "source");
  broadcast_shapes(shape(), src_in.shape(), "copy_");  // validates
  ADVGRAD_CHECK(broadcast_shapes(shape(), src_in.shape(), "copy_") == shape(), "copy_: source of shape ",
                shape_str(src_in.shape()), " cannot be broadcast to ", shape_str(shape()));
  NoGradGuard no_grad;
  Tensor src = src_in.device() == device() ? src_in : src_in.to(device());
  detail::backend_of(*this).cast(dtype(), src.dtype(), detail::make_loop(shape(), {this, &src}, "copy_"),
                                 raw_data(), src.raw_data());
  bump_version();
  return *this;
}

Tensor& Tensor::add_(const Tensor& other, double alpha) {
  detail::check_inplace(*this, "add_");
  detail::check_floating(*this, "add_");
  NoGradGuard no_grad;
  Tensor o = alpha == 1.0 ? other : other * alpha;
  auto [a, b] = detail::unify_dtypes(*this, o, "add_");
  ADVGRAD_CHECK(broadcast_shapes(shape(), b.shape(), "add_") == shape(), "add_: operand of shape ",
                shape_str(b.shape()), " cannot be broadcast to ", shape_str(shape()));
  detail::backend_of(*this).binary(kernels::BinaryOp::Add, dtype(),
                                   detail::make_loop(shape(), {this, this, &b}, "add_"), raw_data(), raw_data(),
                                   b.raw_data(), {});
  bump_version();
  return *this;
}

Tensor& Tensor::mul_(double factor) {
  detail::check_inplace(*this, "mul_");
  detail::check_floating(*this, "mul_");
  NoGradGuard no_grad;
  Tensor f = scalar_tensor(factor, options());
  detail::backend_of(*this).binary(kernels::BinaryOp::Mul, dtype(),
                                   detail::make_loop(shape(), {this, this, &f}, "mul_"), raw_data(), raw_data(),
                                   f.raw_data(), {});
  bump_version();
  return *this;
}

// ---- convenience methods ----
Tensor Tensor::sum() const { return advgrad::sum(*this); }
Tensor Tensor::sum(const std::vector<std::int64_t>& dims, bool keepdim) const {
  return advgrad::sum(*this, dims, keepdim);
}
Tensor Tensor::mean() const { return advgrad::mean(*this); }
Tensor Tensor::mean(const std::vector<std::int64_t>& dims, bool keepdim) const {
  return advgrad::mean(*this, dims, keepdim);
}
Tensor Tensor::pow(double exponent) const { return advgrad::pow(*this, exponent); }
Tensor Tensor::abs() const { return advgrad::abs(*this); }
Tensor Tensor::exp() const { return advgrad::exp(*this); }
Tensor Tensor::log() const { return advgrad::log(*this); }
Tensor Tensor::sqrt() const { return advgrad::sqrt(*this); }

}  // namespace advgrad
