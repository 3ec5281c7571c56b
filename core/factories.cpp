// Tensor factories: constant fills, ranges, copies from host data and random draws.
#include <cmath>
#include <cstring>

#include "advgrad/core/backend/backend.h"
#include "advgrad/core/generator.h"
#include "advgrad/core/ops/op_utils.h"
#include "advgrad/core/tensor.h"
#include "advgrad/kernels/random.h"

namespace advgrad {

Tensor full(const Shape& shape, double value, TensorOptions options) {
  const bool wants_grad = options.requires_grad;
  Tensor t = Tensor::empty(shape, options.with_requires_grad(false));
  backend_for(t.device()).fill(t.dtype(), t.raw_data(), t.numel(), value);
  if (wants_grad) t.requires_grad_(true);
  return t;
}
Tensor zeros(const Shape& shape, TensorOptions options) { return full(shape, 0.0, options); }
Tensor ones(const Shape& shape, TensorOptions options) { return full(shape, 1.0, options); }
Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.options()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape(), t.options()); }
Tensor full_like(const Tensor& t, double value) { return full(t.shape(), value, t.options()); }
Tensor empty_like(const Tensor& t) { return Tensor::empty(t.shape(), t.options()); }
Tensor scalar_tensor(double value, TensorOptions options) { return full({}, value, options); }

Tensor from_blob(const void* data, const Shape& shape, TensorOptions options) {
  const bool wants_grad = options.requires_grad;
  Tensor host = Tensor::empty(shape, options.with_device(Device::cpu()).with_requires_grad(false));
  const std::size_t nbytes = static_cast<std::size_t>(host.numel()) * dtype_size(options.dtype);
  if (nbytes) std::memcpy(host.raw_data(), data, nbytes);
  Tensor t = host.to(options.device);
  if (wants_grad) t.requires_grad_(true);
  return t;
}

namespace {
template <typename Src>
Tensor from_values(const std::vector<Src>& values, const Shape& shape, TensorOptions options) {
  ADVGRAD_CHECK(static_cast<std::int64_t>(values.size()) == numel_of(shape), "from_vector: ", values.size(),
                " values do not fill shape ", shape_str(shape), " (", numel_of(shape), " elements)");
  const bool wants_grad = options.requires_grad;
  Tensor host = Tensor::empty(shape, options.with_device(Device::cpu()).with_requires_grad(false));
  dispatch_all(options.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = host.data<T>();
    for (std::size_t i = 0; i < values.size(); ++i) p[i] = static_cast<T>(values[i]);
  });
  Tensor t = host.to(options.device);
  if (wants_grad) t.requires_grad_(true);
  return t;
}
}  // namespace

Tensor from_vector(const std::vector<double>& v, const Shape& s, TensorOptions o) { return from_values(v, s, o); }
Tensor from_vector(const std::vector<float>& v, const Shape& s, TensorOptions o) { return from_values(v, s, o); }
Tensor from_vector(const std::vector<std::int64_t>& v, const Shape& s, TensorOptions o) {
  return from_values(v, s, o);
}

Tensor arange(double start, double end, double step, TensorOptions options) {
  ADVGRAD_CHECK(step != 0 && std::isfinite(start) && std::isfinite(end) && std::isfinite(step),
                "arange: invalid range start=", start, " end=", end, " step=", step);
  const double count = std::ceil((end - start) / step);
  const std::int64_t n = count > 0 ? static_cast<std::int64_t>(count) : 0;
  std::vector<double> values(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) values[i] = start + static_cast<double>(i) * step;
  return from_vector(values, {n}, options);
}

Tensor arange(std::int64_t end, TensorOptions options) { return arange(0.0, static_cast<double>(end), 1.0, options); }

// ---- random ----
namespace {
void check_random_options(const TensorOptions& options, const char* op) {
  ADVGRAD_CHECK(is_floating(options.dtype), op, ": needs a floating-point dtype, got ", dtype_name(options.dtype));
}
}  // namespace

Tensor uniform(const Shape& shape, double lo, double hi, Generator& gen, TensorOptions options) {
  check_random_options(options, "uniform");
  ADVGRAD_CHECK(lo <= hi, "uniform: lo (", lo, ") must not exceed hi (", hi, ")");
  const bool wants_grad = options.requires_grad;
  Tensor t = Tensor::empty(shape, options.with_requires_grad(false));
  const std::uint64_t offset = gen.reserve(kernels::philox_counters_uniform(t.numel()));
  backend_for(t.device()).random_uniform(t.dtype(), t.raw_data(), t.numel(), lo, hi, gen.seed(), offset);
  if (wants_grad) t.requires_grad_(true);
  return t;
}

Tensor rand(const Shape& shape, Generator& gen, TensorOptions options) { return uniform(shape, 0.0, 1.0, gen, options); }

Tensor normal(const Shape& shape, double mean, double stddev, Generator& gen, TensorOptions options) {
  check_random_options(options, "normal");
  ADVGRAD_CHECK(stddev >= 0, "normal: stddev must be >= 0, got ", stddev);
  const bool wants_grad = options.requires_grad;
  Tensor t = Tensor::empty(shape, options.with_requires_grad(false));
  const std::uint64_t offset = gen.reserve(kernels::philox_counters_normal(t.numel()));
  backend_for(t.device()).random_normal(t.dtype(), t.raw_data(), t.numel(), mean, stddev, gen.seed(), offset);
  if (wants_grad) t.requires_grad_(true);
  return t;
}

Tensor randn(const Shape& shape, Generator& gen, TensorOptions options) { return normal(shape, 0.0, 1.0, gen, options); }

Tensor bernoulli(const Shape& shape, double p, Generator& gen, TensorOptions options) {
  ADVGRAD_CHECK(p >= 0.0 && p <= 1.0, "bernoulli: p must be in [0, 1], got ", p);
  Tensor u = rand(shape, gen, options.with_requires_grad(false));
  Tensor out = Tensor::empty(shape, options.with_requires_grad(false));
  Tensor pt = scalar_tensor(p, u.options());
  backend_for(u.device()).binary(kernels::BinaryOp::Lt, u.dtype(), detail::make_loop(shape, {&out, &u, &pt}, "bernoulli"),
                                 out.raw_data(), u.raw_data(), pt.raw_data(), {});
  return out;
}

Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape, Generator& gen, TensorOptions options) {
  ADVGRAD_CHECK(high > low, "randint: empty range [", low, ", ", high, ")");
  std::vector<std::int64_t> values(static_cast<std::size_t>(numel_of(shape)));
  for (auto& v : values) v = gen.next_int(low, high);
  return from_vector(values, shape, options);
}

Tensor randperm(std::int64_t n, Generator& gen) {
  ADVGRAD_CHECK(n >= 0, "randperm: n must be >= 0, got ", n);
  std::vector<std::int64_t> values(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) values[i] = i;
  // Fisher-Yates with unbiased draws.
  for (std::int64_t i = n - 1; i > 0; --i) std::swap(values[i], values[gen.next_int(0, i + 1)]);
  return from_vector(values, {n});
}

}  // namespace advgrad
