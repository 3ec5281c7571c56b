// The host side of the CUDA backend on the CUDA runtime (real or emulated).
#include "advgrad/kernels/cuda/runtime.h"

#include <chrono>
#include <cstdlib>
#include <string>

#if defined(__CUDACC__)
#include <cuda_runtime.h>
#endif

ADVGRAD_CUDA_NAMESPACE_BEGIN

namespace {

[[noreturn]] void fail(const std::string& what, cudaError_t error) {
  throw CudaError(what + ": " + cudaGetErrorName(error) + " (" + cudaGetErrorString(error) + ")");
}
void check(cudaError_t error, const char* what) {
  if (error != cudaSuccess) fail(what, error);
}

bool sync_after_launch() {
  static const bool enabled = [] {
    const char* env = std::getenv("ADVGRAD_CUDA_SYNC");
    return env != nullptr && std::string(env) == "1";
  }();
  return enabled;
}

#if !defined(__CUDACC__)
double host_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}
#endif

}  // namespace

#if defined(__CUDACC__)
const char* flavour() { return "cuda"; }
#else
const char* flavour() { return "emulated"; }
#endif

DeviceQuery query_devices() {
  DeviceQuery q;
  const cudaError_t error = cudaGetDeviceCount(&q.count);
  if (error != cudaSuccess) {
    q.count = 0;
    q.reason = std::string(cudaGetErrorName(error)) + ": " + cudaGetErrorString(error);
    cudaGetLastError();  // the failed query must not be reported by the next launch check
  } else if (q.count == 0) {
    q.reason = "the CUDA runtime reports no device";
  }
  return q;
}

std::string device_name(int index) {
#if defined(__CUDACC__)
  cudaDeviceProp prop{};
  check(cudaGetDeviceProperties(&prop, index), "cudaGetDeviceProperties");
  return std::string(prop.name) + " (sm_" + std::to_string(prop.major) + std::to_string(prop.minor) + ")";
#else
  (void)index;
  return "SIMT emulator on the host CPU";
#endif
}

void set_device(int index) { check(cudaSetDevice(index), "cudaSetDevice"); }

void* device_malloc(std::size_t bytes) {
  void* p = nullptr;
  const cudaError_t error = cudaMalloc(&p, bytes);
  if (error != cudaSuccess) {
    cudaGetLastError();
    fail("cudaMalloc of " + std::to_string(bytes) + " bytes", error);
  }
  return p;
}

void device_free(void* ptr) { check(cudaFree(ptr), "cudaFree"); }

void copy_host_to_device(void* dst, const void* src, std::size_t bytes) {
  if (bytes) check(cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice), "cudaMemcpy host to device");
}
void copy_device_to_host(void* dst, const void* src, std::size_t bytes) {
  if (bytes) check(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost), "cudaMemcpy device to host");
}
void copy_device_to_device(void* dst, const void* src, std::size_t bytes) {
  if (bytes) check(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToDevice), "cudaMemcpy device to device");
}
void memset_zero(void* ptr, std::size_t bytes) {
  if (bytes) check(cudaMemset(ptr, 0, bytes), "cudaMemset");
}

void synchronize(const char* what) { check(cudaDeviceSynchronize(), what); }

void check_launch(const char* kernel) {
  const cudaError_t error = cudaGetLastError();
  if (error != cudaSuccess) fail(std::string("launch of kernel ") + kernel, error);
  if (sync_after_launch()) check(cudaDeviceSynchronize(), (std::string("kernel ") + kernel).c_str());
}

// ---- timing ----
#if defined(__CUDACC__)
DeviceTimer::DeviceTimer() {
  cudaEvent_t a, b;
  check(cudaEventCreate(&a), "cudaEventCreate");
  check(cudaEventCreate(&b), "cudaEventCreate");
  start_ = a;
  stop_ = b;
}
DeviceTimer::~DeviceTimer() {
  cudaEventDestroy(static_cast<cudaEvent_t>(start_));
  cudaEventDestroy(static_cast<cudaEvent_t>(stop_));
}
void DeviceTimer::start() { check(cudaEventRecord(static_cast<cudaEvent_t>(start_)), "cudaEventRecord"); }
double DeviceTimer::stop_ms() {
  check(cudaEventRecord(static_cast<cudaEvent_t>(stop_)), "cudaEventRecord");
  check(cudaEventSynchronize(static_cast<cudaEvent_t>(stop_)), "cudaEventSynchronize");
  float ms = 0;
  check(cudaEventElapsedTime(&ms, static_cast<cudaEvent_t>(start_), static_cast<cudaEvent_t>(stop_)),
        "cudaEventElapsedTime");
  return ms;
}
#else
DeviceTimer::DeviceTimer() = default;
DeviceTimer::~DeviceTimer() = default;
void DeviceTimer::start() {
  synchronize("DeviceTimer::start");
  host_start_ms_ = host_ms();
}
double DeviceTimer::stop_ms() {
  synchronize("DeviceTimer::stop");
  return host_ms() - host_start_ms_;
}
#endif

ADVGRAD_CUDA_NAMESPACE_END
