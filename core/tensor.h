#pragma once
// Tensor: a cheap, reference-counted handle to a TensorImpl. Copying a Tensor
// shares the data (like torch.Tensor); use clone() for a deep copy.
//
// Layout is row-major NCHW. Views (reshape of contiguous data, transpose,
// permute, slice, expand, squeeze/unsqueeze) share storage and copy nothing.
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "advgrad/core/device.h"
#include "advgrad/core/dtype.h"
#include "advgrad/core/error.h"
#include "advgrad/core/shape.h"
#include "advgrad/core/tensor_impl.h"

namespace advgrad {

class Generator;

struct TensorOptions {
  DType dtype = DType::Float32;
  Device device = Device::cpu();
  bool requires_grad = false;

  TensorOptions with_dtype(DType d) const { auto o = *this; o.dtype = d; return o; }
  TensorOptions with_device(Device d) const { auto o = *this; o.device = d; return o; }
  TensorOptions with_requires_grad(bool r) const { auto o = *this; o.requires_grad = r; return o; }
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // Allocates an uninitialised contiguous tensor.
  static Tensor empty(const Shape& shape, TensorOptions options = {});

  bool defined() const { return impl_ != nullptr; }
  const std::shared_ptr<TensorImpl>& impl() const { return impl_; }
  TensorImpl* unsafe_impl() const { return impl_.get(); }

  // ---- metadata ----
  const Shape& shape() const { return checked().shape; }
  const std::vector<std::int64_t>& strides() const { return checked().strides; }
  std::int64_t offset() const { return checked().offset; }
  std::int64_t dim() const { return static_cast<std::int64_t>(checked().shape.size()); }
  std::int64_t size(std::int64_t dim) const;
  std::int64_t numel() const { return numel_of(checked().shape); }
  DType dtype() const { return checked().dtype; }
  Device device() const { return checked().storage->device(); }
  bool is_contiguous() const;
  TensorOptions options() const { return {dtype(), device(), false}; }
  TensorImpl& checked() const;  // throws advgrad::Error on an undefined tensor

  // ---- raw data ----
  // Pointer to the first element (storage + offset). Device memory for CUDA tensors.
  void* raw_data() const;
  // Host pointer to the first element: CPU tensors only (device memory is
  // not addressable from the host; copy with to(Device::cpu()) or to_vector()).
  template <typename T>
  T* data() const {
    ADVGRAD_CHECK(device().is_cpu(), "Tensor::data: the tensor is on ", device().str(),
                  "; copy it to the host with .to(Device::cpu()) first");
    return device_data<T>();
  }
  // The first element in the tensor's own memory (device memory for CUDA
  // tensors): what core/ hands to a backend.
  template <typename T>
  T* device_data() const {
    ADVGRAD_CHECK(dtype() == dtype_of<T>::value, "Tensor::data: tensor is ", dtype_name(dtype()),
                  ", asked for ", dtype_name(dtype_of<T>::value));
    return static_cast<T*>(raw_data());
  }

  // ---- element access (copies to host; meant for tests, printing, scalars) ----
  double item() const;                                  // one-element tensor -> double
  double at(std::initializer_list<std::int64_t> index) const;
  std::vector<double> to_double_vector() const;        // row-major values as double
  std::vector<std::int64_t> to_int_vector() const;
  template <typename T>
  std::vector<T> to_vector() const;                    // dtype must match T
  std::string str() const;                              // readable printing

  // ---- autograd ----
  bool requires_grad() const;
  Tensor& requires_grad_(bool enabled = true);
  bool is_leaf() const { return checked().grad_fn == nullptr; }
  const std::shared_ptr<autograd::Node>& grad_fn() const { return checked().grad_fn; }
  Tensor grad() const;                 // accumulated gradient (undefined if none)
  void set_grad(const Tensor& g) const;
  void zero_grad() const;              // drops .grad
  Tensor detach() const;               // same data, no history
  // backward(): gradient of this (scalar unless `gradient` is given) w.r.t. all
  // leaves that require grad, accumulated into their .grad().
  void backward(const Tensor& gradient = {}, bool retain_graph = false, bool create_graph = false) const;
  // Hooks see (and may replace) the gradient reaching this tensor. Returns an id.
  int register_hook(GradHook hook) const;
  void remove_hook(int id) const;
  void retain_grad() const;            // keep .grad for a non-leaf

  // ---- views (share storage) ----
  Tensor view(const Shape& shape) const;      // contiguous-compatible only; -1 infers one dim
  Tensor reshape(const Shape& shape) const;   // view when possible, else copy
  Tensor flatten(std::int64_t start_dim = 0, std::int64_t end_dim = -1) const;
  Tensor transpose(std::int64_t d0, std::int64_t d1) const;
  Tensor t() const;                            // 2-D transpose
  Tensor permute(const std::vector<std::int64_t>& dims) const;
  Tensor slice(std::int64_t dim, std::int64_t start, std::int64_t end, std::int64_t step = 1) const;
  Tensor narrow(std::int64_t dim, std::int64_t start, std::int64_t length) const;
  Tensor select(std::int64_t dim, std::int64_t index) const;  // drops `dim`
  Tensor squeeze() const;
  Tensor squeeze(std::int64_t dim) const;
  Tensor unsqueeze(std::int64_t dim) const;
  Tensor expand(const Shape& shape) const;     // stride-0 broadcast; -1 keeps a size

  // ---- copies and conversions ----
  Tensor contiguous() const;
  Tensor clone() const;
  Tensor to(DType dtype) const;
  Tensor to(Device device) const;

  // ---- in place (refused on tensors that need grad while grad mode is on) ----
  Tensor& zero_();
  Tensor& fill_(double value);
  Tensor& copy_(const Tensor& src);            // broadcasts src, casts dtype
  Tensor& add_(const Tensor& other, double alpha = 1.0);
  Tensor& mul_(double factor);
  void bump_version() const;                   // mark data as modified (kernels that write in place)

  // ---- convenience methods (same as the free functions in core/ops) ----
  Tensor sum() const;
  Tensor sum(const std::vector<std::int64_t>& dims, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(const std::vector<std::int64_t>& dims, bool keepdim = false) const;
  Tensor pow(double exponent) const;
  Tensor abs() const;
  Tensor exp() const;
  Tensor log() const;
  Tensor sqrt() const;

 private:
  std::shared_ptr<TensorImpl> impl_;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

// ---- factories ----
Tensor zeros(const Shape& shape, TensorOptions options = {});
Tensor ones(const Shape& shape, TensorOptions options = {});
Tensor full(const Shape& shape, double value, TensorOptions options = {});
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);
Tensor empty_like(const Tensor& t);
Tensor scalar_tensor(double value, TensorOptions options = {});  // 0-dim
// [start, end) with step; float unless options say int64.
Tensor arange(double start, double end, double step = 1.0, TensorOptions options = {});
Tensor arange(std::int64_t end, TensorOptions options = {.dtype = DType::Int64});
// Copies values (converted to options.dtype) into a new tensor of `shape`.
Tensor from_vector(const std::vector<double>& values, const Shape& shape, TensorOptions options = {});
Tensor from_vector(const std::vector<float>& values, const Shape& shape, TensorOptions options = {});
Tensor from_vector(const std::vector<std::int64_t>& values, const Shape& shape,
                   TensorOptions options = {.dtype = DType::Int64});
// Copies `numel_of(shape)` elements of dtype options.dtype from a host buffer.
Tensor from_blob(const void* data, const Shape& shape, TensorOptions options = {});

// ---- random (every draw goes through an explicit, seedable Generator) ----
Tensor rand(const Shape& shape, Generator& gen, TensorOptions options = {});   // U[0, 1)
Tensor randn(const Shape& shape, Generator& gen, TensorOptions options = {});  // N(0, 1)
Tensor uniform(const Shape& shape, double lo, double hi, Generator& gen, TensorOptions options = {});
Tensor normal(const Shape& shape, double mean, double stddev, Generator& gen, TensorOptions options = {});
Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape, Generator& gen,
               TensorOptions options = {.dtype = DType::Int64});
Tensor bernoulli(const Shape& shape, double p, Generator& gen, TensorOptions options = {});
Tensor randperm(std::int64_t n, Generator& gen);  // int64 permutation of [0, n)

}  // namespace advgrad
