#include "cuda_testing.h"

#include <iostream>
#include <mutex>

#include "advgrad/core/backend/cuda.h"

namespace advgrad::testing {

namespace {
std::mutex skip_mutex;
std::vector<std::string>& skips() {
  static std::vector<std::string> s;
  return s;
}

// Runs fn on `inputs` and returns its outputs followed by the gradients of
// sum(out * w) with respect to each input that requires grad.
std::vector<Tensor> outputs_and_grads(const TensorFn& fn, const std::vector<Tensor>& inputs) {
  Tensor out = fn(inputs);
  std::vector<Tensor> results{out.detach()};
  std::vector<Tensor> wrt;
  for (const auto& t : inputs)
    if (t.requires_grad()) wrt.push_back(t);
  if (wrt.empty() || !out.requires_grad()) return results;
  Tensor w = random_tensor(out.shape(), 4243, out.dtype(), 0.5, 1.5).to(out.device());
  autograd::GradOptions options;
  options.allow_unused = true;  // an input the output cannot reach gets an undefined gradient on both devices
  auto grads = autograd::grad({sum(mul(out, w))}, wrt, {}, options);
  for (auto& g : grads) results.push_back(g.defined() ? g.detach() : Tensor());
  return results;
}

// Inputs of dtype `dtype` (float ones cast, int64 kept) on the CPU.
std::vector<Tensor> cpu_inputs(const std::vector<Tensor>& inputs, DType dtype) {
  std::vector<Tensor> out;
  for (const auto& t : inputs) {
    Tensor c = is_floating(t.dtype()) ? t.detach().to(dtype) : t.detach();
    if (t.requires_grad()) c.requires_grad_();
    out.push_back(c);
  }
  return out;
}

std::vector<Tensor> device_inputs(const std::vector<Tensor>& cpu, bool strided) {
  std::vector<Tensor> out;
  for (const auto& t : cpu) {
    Tensor d = t.detach().to(cuda_test_device());
    if (strided && t.dim() > 0) d = non_contiguous(d);
    if (t.requires_grad()) {
      d = d.detach();
      d.requires_grad_();
    }
    out.push_back(d);
  }
  return out;
}
}  // namespace

Device cuda_test_device() { return Device::cuda(0); }
bool cuda_test_device_is_emulated() { return cuda::describe().rfind("emulated", 0) == 0; }

Tensor to_cuda(const Tensor& t) {
  Tensor d = t.detach().to(cuda_test_device());
  if (t.requires_grad()) d.requires_grad_();
  return d;
}

void check_parity(const ParityCase& c) {
  SCOPED_TRACE(c.name);
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const bool f32 = dtype == DType::Float32;
    const double rtol = f32 ? c.rtol : 1e-10, atol = f32 ? c.atol : 1e-12;
    const std::vector<Tensor> cpu = cpu_inputs(c.inputs, dtype);
    std::vector<Tensor> expected;
    {
      ReferenceKernelsGuard reference;
      expected = outputs_and_grads(c.fn, cpu);
    }
    for (bool strided : {false, true}) {
      if (strided && !c.non_contiguous) continue;
      SCOPED_TRACE(std::string(dtype_name(dtype)) + (strided ? ", non-contiguous inputs" : ", contiguous inputs"));
      const std::vector<Tensor> actual = outputs_and_grads(c.fn, device_inputs(cpu, strided));
      ASSERT_EQ(actual.size(), expected.size());
      for (std::size_t k = 0; k < actual.size(); ++k) {
        SCOPED_TRACE(k == 0 ? std::string("output") : "gradient " + std::to_string(k - 1));
        ASSERT_EQ(actual[k].defined(), expected[k].defined());
        if (!actual[k].defined()) continue;
        EXPECT_TRUE(actual[k].device() == cuda_test_device());
        EXPECT_EQ(actual[k].dtype(), expected[k].dtype());
        EXPECT_TRUE(all_close(actual[k].to(Device::cpu()), expected[k], rtol, atol));
      }
    }
  }
  if (c.gradcheck) {
    // Finite differences of the op on the device, in float64.
    const TensorFn on_device = [&](const std::vector<Tensor>& xs) {
      std::vector<Tensor> moved;
      for (const auto& x : xs) moved.push_back(x.to(cuda_test_device()));
      return c.fn(moved).to(Device::cpu());
    };
    EXPECT_TRUE(gradcheck(on_device, cpu_inputs(c.inputs, DType::Float64)));
  }
}

::testing::AssertionResult cuda_matches_reference(const OpSpec& spec, const Variant* variant) {
  const std::shared_ptr<void> setting = variant ? variant->enter() : nullptr;
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const Tolerance tol = dtype == DType::Float32 ? spec.cuda_f32 : Tolerance{1e-10, 1e-12};
    std::vector<Tensor> expected;
    {
      ReferenceKernelsGuard reference;
      expected = outputs_and_gradients(spec.fn, make_inputs(spec, dtype));
    }
    for (bool strided : {false, true}) {
      if (strided && !spec.non_contiguous) continue;
      const std::string where = std::string(dtype_name(dtype)) + (strided ? ", non-contiguous" : ", contiguous") +
                                " inputs on " + cuda_test_device().str() + ": ";
      std::vector<Tensor> actual =
          outputs_and_gradients(spec.fn, make_inputs(spec, dtype, cuda_test_device(), strided));
      for (Tensor& t : actual) {
        if (!t.defined()) continue;
        if (!(t.device() == cuda_test_device()))
          return ::testing::AssertionFailure() << where << "a result is on " << t.device().str();
        t = t.to(Device::cpu());
      }
      auto r = results_match(actual, expected, tol);
      if (!r) return ::testing::AssertionFailure() << where << "device vs CPU reference: " << r.message();
    }
  }
  if (spec.cuda_gradcheck) {
    // Finite differences of the op on the device, in float64.
    const TensorFn on_device = [&](const std::vector<Tensor>& xs) {
      std::vector<Tensor> moved;
      for (const auto& x : xs) moved.push_back(x.to(cuda_test_device()));
      return spec.fn(moved).to(Device::cpu());
    };
    auto r = gradcheck(on_device, make_inputs(spec, DType::Float64), 1e-6, spec.grad.rtol, spec.grad.atol);
    if (!r)
      return ::testing::AssertionFailure()
             << "gradcheck of the op on " << cuda_test_device().str() << ": " << r.message();
  }
  return ::testing::AssertionSuccess();
}

void record_skip(const std::string& what, const std::string& why) {
  std::lock_guard lock(skip_mutex);
  skips().push_back(what + ": " + why);
}

void print_skips() {
  std::lock_guard lock(skip_mutex);
  std::cout << "[cuda] skipped checks: " << skips().size() << "\n";
  for (const auto& s : skips()) std::cout << "[cuda]   " << s << "\n";
}

}  // namespace advgrad::testing
