#include "advgrad/core/backend/backend.h"

#include <atomic>

#include "advgrad/core/backend/cpu_backend.h"
#include "advgrad/core/backend/profiling_backend.h"
#include "advgrad/core/error.h"
#include "advgrad/kernels/cpu/parallel.h"

namespace advgrad {
namespace {
thread_local bool use_reference = false;

#if defined(ADVGRAD_WITH_CUDA)
CudaRuntime* default_cuda_runtime() { return &detail::gpu_cuda_runtime(); }
#else
CudaRuntime* default_cuda_runtime() { return nullptr; }
#endif

std::atomic<CudaRuntime*>& cuda_runtime_slot() {
  static std::atomic<CudaRuntime*> slot{default_cuda_runtime()};
  return slot;
}
}  // namespace

// The backends are never destroyed: a tensor a user keeps in a static (a model
// cache, a constant) is freed during static destruction, in an order we do not
// control, and its Storage must still find a live backend to free it with.
Backend& cpu_fast_backend() {
  static CpuBackend* const backend = new CpuBackend(false);
  return *backend;
}
Backend& cpu_reference_backend() {
  static CpuBackend* const backend = new CpuBackend(true);
  return *backend;
}

void register_cuda_runtime(CudaRuntime* runtime) { cuda_runtime_slot().store(runtime); }
CudaRuntime* registered_cuda_runtime() { return cuda_runtime_slot().load(); }

Backend& backend_for(Device device) {
  if (device.is_cpu()) {
    if (use_reference) return cpu_reference_backend();
    return cpu_profiling_enabled() ? cpu_profiling_backend() : cpu_fast_backend();  // ADVGRAD_PROFILE=1
  }
  CudaRuntime* runtime = registered_cuda_runtime();
  ADVGRAD_CHECK(runtime != nullptr, "device ", device.str(),
                ": this build of advgrad has no CUDA backend (configure it with the CUDA toolkit to use GPUs)");
  return runtime->backend(device.index);  // throws advgrad::Error when there is no such device
}

ReferenceKernelsGuard::ReferenceKernelsGuard(bool enabled) : prev_(use_reference) { use_reference = enabled; }
ReferenceKernelsGuard::~ReferenceKernelsGuard() { use_reference = prev_; }
bool reference_kernels_enabled() { return use_reference; }

void set_num_threads(int n) {
  ADVGRAD_CHECK(n >= 1, "set_num_threads: expected n >= 1, got ", n);
  kernels::cpu::set_num_threads(n);
}
int get_num_threads() { return kernels::cpu::get_num_threads(); }

}  // namespace advgrad
