#include "core/backend.h"

#include <map>
#include <memory>
#include <mutex>

#include "core/cpu_backend.h"
#include "core/error.h"
#include "kernels/cpu/parallel.h"

namespace advgrad {
namespace {
thread_local bool use_reference = false;
Backend* (*cuda_factory)(int) = nullptr;
}  // namespace

Backend& cpu_fast_backend() {
  static CpuBackend backend(false);
  return backend;
}
Backend& cpu_reference_backend() {
  static CpuBackend backend(true);
  return backend;
}

void register_cuda_backend(Backend* (*factory)(int)) { cuda_factory = factory; }

Backend& backend_for(Device device) {
  if (device.is_cpu()) return use_reference ? cpu_reference_backend() : cpu_fast_backend();
  ADVGRAD_CHECK(cuda_factory != nullptr, "device ", device.str(),
                ": this build of advgrad has no CUDA backend (configure with CUDA to use GPUs)");
  return *cuda_factory(device.index);  // the factory throws advgrad::Error when no GPU is present
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
