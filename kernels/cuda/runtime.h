#pragma once
// The host side of the CUDA kernels in plain C++: device discovery, memory,
// copies, synchronisation and launch checks. core/ (which must not see CUDA
// headers) calls these; kernels/cuda/runtime.cu implements them on the CUDA
// runtime — the real one under nvcc, the emulated one (kernels/simt/runtime.h)
// otherwise. Every pointer here is device memory unless its name says host.
//
// Errors throw CudaError with a message that names the call or the kernel and
// the runtime's error name and text; core/ turns them into advgrad::Error.
#include <cstddef>
#include <stdexcept>
#include <string>

#include "advgrad/kernels/cuda/namespace.h"

ADVGRAD_CUDA_NAMESPACE_BEGIN

class CudaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "cuda" for the real runtime, "emulated" for the SIMT emulator.
const char* flavour();

// The usable devices: count 0 with the runtime's reason ("no CUDA-capable
// device is detected", "CUDA driver version is insufficient...") when there
// are none. Never throws: a CUDA build must load and run on a machine without
// a GPU.
struct DeviceQuery {
  int count = 0;
  std::string reason;  // empty when count > 0
};
DeviceQuery query_devices();
// Name and compute capability, e.g. "NVIDIA H200 (sm_90)"; "SIMT emulator" when emulated.
std::string device_name(int index);

void set_device(int index);
void* device_malloc(std::size_t bytes);  // throws CudaError (out of memory included)
void device_free(void* ptr);
void copy_host_to_device(void* dst, const void* host_src, std::size_t bytes);
void copy_device_to_host(void* host_dst, const void* src, std::size_t bytes);
void copy_device_to_device(void* dst, const void* src, std::size_t bytes);
void memset_zero(void* ptr, std::size_t bytes);
// Waits for every launch so far; a fault of an asynchronous kernel surfaces here.
void synchronize(const char* what);

// After each launch: throws CudaError naming `kernel` when the launch failed
// (bad configuration, too much shared memory). With ADVGRAD_CUDA_SYNC=1 it also
// synchronises, so an asynchronous fault is reported at the kernel that caused
// it (like CUDA_LAUNCH_BLOCKING=1).
void check_launch(const char* kernel);

// Wall time of device work, with CUDA events on a GPU (host clock around a
// synchronise when emulated, where launches are synchronous anyway).
class DeviceTimer {
 public:
  DeviceTimer();
  ~DeviceTimer();
  DeviceTimer(const DeviceTimer&) = delete;
  DeviceTimer& operator=(const DeviceTimer&) = delete;
  void start();
  double stop_ms();  // synchronises; milliseconds since start()

 private:
  void* start_ = nullptr;
  void* stop_ = nullptr;
  double host_start_ms_ = 0;
};

ADVGRAD_CUDA_NAMESPACE_END
