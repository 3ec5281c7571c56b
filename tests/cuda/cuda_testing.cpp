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

}  // namespace

Device cuda_test_device() { return Device::cuda(0); }
bool cuda_test_device_is_emulated() { return cuda::describe().rfind("emulated", 0) == 0; }

Tensor to_cuda(const Tensor& t) {
  Tensor d = t.detach().to(cuda_test_device());
  if (t.requires_grad()) d.requires_grad_();
  return d;
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
