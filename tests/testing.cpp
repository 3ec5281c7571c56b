#include "testing.h"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <sstream>

namespace advgrad::testing {

std::filesystem::path temp_dir(const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("advgrad_test_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

EnvScope::EnvScope(const char* name, const char* value) : name_(name) {
  if (const char* old = std::getenv(name)) old_ = old, had_ = true;
  value ? ::setenv(name, value, 1) : ::unsetenv(name);
}

EnvScope::~EnvScope() { had_ ? ::setenv(name_, old_.c_str(), 1) : ::unsetenv(name_); }

::testing::AssertionResult all_close(const Tensor& a, const Tensor& b, double rtol, double atol) {
  if (a.shape() != b.shape())
    return ::testing::AssertionFailure() << "shape " << shape_str(a.shape()) << " vs " << shape_str(b.shape());
  const auto va = a.to_double_vector(), vb = b.to_double_vector();
  double worst = 0;
  std::size_t worst_i = 0;
  bool ok = true;
  for (std::size_t i = 0; i < va.size(); ++i) {
    const double diff = std::fabs(va[i] - vb[i]);
    const bool both_nan = std::isnan(va[i]) && std::isnan(vb[i]);
    const bool same_inf = std::isinf(va[i]) && va[i] == vb[i];
    if (both_nan || same_inf) continue;
    const double excess = diff - (atol + rtol * std::fabs(vb[i]));
    if (!(excess <= 0)) {
      ok = false;
      if (!(excess <= worst)) {
        worst = excess;
        worst_i = i;
      }
    }
  }
  if (ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "element " << worst_i << ": " << va[worst_i] << " vs " << vb[worst_i]
                                       << " (rtol " << rtol << ", atol " << atol << "), shape "
                                       << shape_str(a.shape());
}

namespace {

// Fresh leaves with the same values and requires_grad flags.
std::vector<Tensor> fresh_leaves(const std::vector<Tensor>& inputs) {
  std::vector<Tensor> out;
  for (const auto& t : inputs) {
    Tensor c = t.detach().clone();
    if (t.requires_grad()) c.requires_grad_(true);
    out.push_back(c);
  }
  return out;
}

Tensor weight_for(const Tensor& out) { return random_tensor(out.shape(), 4242, out.dtype(), 0.5, 1.5); }

double scalar_loss(const TensorFn& f, const std::vector<Tensor>& inputs, const Tensor& w) {
  Tensor out = f(inputs);
  return sum(mul(out, w)).item();
}

}  // namespace

::testing::AssertionResult gradcheck(const TensorFn& f, const std::vector<Tensor>& inputs_in, double eps, double rtol,
                                     double atol) {
  std::vector<Tensor> inputs = fresh_leaves(inputs_in);
  std::vector<Tensor> diff;
  for (const auto& t : inputs)
    if (t.requires_grad()) diff.push_back(t);
  if (diff.empty()) return ::testing::AssertionFailure() << "gradcheck: no input requires grad";
  Tensor out = f(inputs);
  const Tensor w = weight_for(out);
  Tensor loss = sum(mul(out, w));
  std::vector<Tensor> analytic;
  if (loss.requires_grad()) {
    analytic = autograd::grad({loss}, diff, {}, {.allow_unused = true});
  } else {
    analytic.resize(diff.size());
  }
  std::size_t k = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].requires_grad()) continue;
    Tensor a = analytic[k].defined() ? analytic[k] : zeros_like(inputs[i]);
    ++k;
    std::vector<double> base = inputs[i].to_double_vector();
    std::vector<double> numeric(base.size());
    for (std::size_t e = 0; e < base.size(); ++e) {
      auto eval = [&](double delta) {
        std::vector<double> v = base;
        v[e] += delta;
        std::vector<Tensor> shifted = fresh_leaves(inputs);
        shifted[i] = from_vector(v, inputs[i].shape(), TensorOptions{}.with_dtype(DType::Float64));
        shifted[i].requires_grad_(true);
        return scalar_loss(f, shifted, w);
      };
      numeric[e] = (eval(eps) - eval(-eps)) / (2 * eps);
    }
    Tensor num = from_vector(numeric, inputs[i].shape(), TensorOptions{}.with_dtype(DType::Float64));
    auto r = all_close(a, num, rtol, atol);
    if (!r) return ::testing::AssertionFailure() << "gradient of input " << i << " (analytic vs numeric): " << r.message();
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult gradgradcheck(const TensorFn& f, const std::vector<Tensor>& inputs, double eps, double rtol,
                                         double atol) {
  // F(inputs) = sum_i <d sum(f * w) / d input_i, v_i>, whose gradient is a Hessian-vector product.
  std::vector<Tensor> probe = fresh_leaves(inputs);
  const Tensor w = weight_for(f(probe));
  std::vector<Tensor> vs;
  for (std::size_t i = 0; i < inputs.size(); ++i)
    vs.push_back(inputs[i].requires_grad() ? random_tensor(inputs[i].shape(), 77 + i, inputs[i].dtype()) : Tensor());
  TensorFn F = [&](const std::vector<Tensor>& xs) {
    std::vector<Tensor> diff;
    std::vector<std::size_t> where;
    for (std::size_t i = 0; i < xs.size(); ++i)
      if (xs[i].requires_grad()) {
        diff.push_back(xs[i]);
        where.push_back(i);
      }
    Tensor loss = sum(mul(f(xs), w));
    Tensor total = zeros({}, TensorOptions{}.with_dtype(DType::Float64));
    if (!loss.requires_grad()) return total;
    auto grads = autograd::grad({loss}, diff, {}, {.create_graph = true, .allow_unused = true});
    for (std::size_t j = 0; j < grads.size(); ++j)
      if (grads[j].defined()) total = add(total, sum(mul(grads[j], vs[where[j]])));
    return total;
  };
  return gradcheck(F, inputs, eps, rtol, atol);
}

::testing::AssertionResult results_match(const std::vector<Tensor>& actual, const std::vector<Tensor>& expected,
                                         Tolerance tol) {
  if (actual.size() != expected.size())
    return ::testing::AssertionFailure() << actual.size() << " results vs " << expected.size();
  for (std::size_t k = 0; k < actual.size(); ++k) {
    const std::string what = k == 0 ? "output" : "gradient of differentiable input " + std::to_string(k - 1);
    if (actual[k].defined() != expected[k].defined())
      return ::testing::AssertionFailure() << what << " is defined on one side only";
    if (!actual[k].defined()) continue;
    if (actual[k].dtype() != expected[k].dtype())
      return ::testing::AssertionFailure() << what << ": " << dtype_name(actual[k].dtype()) << " vs "
                                           << dtype_name(expected[k].dtype());
    auto r = all_close(actual[k], expected[k], tol.rtol, tol.atol);
    if (!r) return ::testing::AssertionFailure() << what << ": " << r.message();
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult fast_matches_reference(const OpSpec& spec) {
  for (bool strided : {false, true}) {
    if (strided && !spec.non_contiguous) continue;
    // Fresh inputs for each run, so that no run sees another's gradients.
    auto run = [&](bool reference) {
      ReferenceKernelsGuard guard(reference);
      return outputs_and_gradients(spec.fn, make_inputs(spec, DType::Float32, Device::cpu(), strided));
    };
    const std::vector<Tensor> fast = run(false), ref = run(true);
    auto r = results_match(fast, ref, spec.fast);
    if (!r)
      return ::testing::AssertionFailure() << "fast vs reference kernels, float32, "
                                           << (strided ? "non-contiguous" : "contiguous") << " inputs: " << r.message();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace advgrad::testing
