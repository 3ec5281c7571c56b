#include "advgrad/kernels/simt/runtime.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

namespace {

thread_local cudaError_t last_error = cudaSuccess;

// Live "device" allocations: start address -> size. Used to validate the device
// side of copies and frees the way the real runtime does.
std::mutex allocations_mutex;
std::map<std::uintptr_t, std::size_t> allocations;

// True when [p, p + bytes) lies inside one live allocation.
bool is_device_range(const void* p, std::size_t bytes) {
  const auto addr = reinterpret_cast<std::uintptr_t>(p);
  std::lock_guard lock(allocations_mutex);
  auto it = allocations.upper_bound(addr);
  if (it == allocations.begin()) return false;
  --it;
  return addr >= it->first && addr - it->first <= it->second && bytes <= it->second - (addr - it->first);
}

bool copy_ranges_valid(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind) {
  const bool dst_device = kind == cudaMemcpyHostToDevice || kind == cudaMemcpyDeviceToDevice;
  const bool src_device = kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyDeviceToDevice;
  return (!dst_device || is_device_range(dst, bytes)) && (!src_device || is_device_range(src, bytes));
}

}  // namespace

namespace simt::detail {
cudaError_t record_error(cudaError_t error) {
  if (error != cudaSuccess) last_error = error;
  return error;
}
}  // namespace simt::detail

using simt::detail::record_error;

cudaError_t cudaMalloc(void** ptr, std::size_t bytes) {
  if (ptr == nullptr) return record_error(cudaErrorInvalidValue);
  *ptr = nullptr;
  if (bytes == 0) return cudaSuccess;
  // Exactly `bytes`, so AddressSanitizer's redzone starts right after the end
  // of the buffer; 256-byte aligned like real device allocations.
  void* p = nullptr;
  if (posix_memalign(&p, 256, bytes) != 0) return record_error(cudaErrorMemoryAllocation);
  std::lock_guard lock(allocations_mutex);
  allocations.emplace(reinterpret_cast<std::uintptr_t>(p), bytes);
  *ptr = p;
  return cudaSuccess;
}

cudaError_t cudaFree(void* ptr) {
  if (ptr == nullptr) return cudaSuccess;
  {
    std::lock_guard lock(allocations_mutex);
    if (allocations.erase(reinterpret_cast<std::uintptr_t>(ptr)) == 0) {
      return record_error(cudaErrorInvalidDevicePointer);
    }
  }
  std::free(ptr);
  return cudaSuccess;
}

cudaError_t cudaMemcpy(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind) {
  if (kind < cudaMemcpyHostToHost || kind > cudaMemcpyDefault) return record_error(cudaErrorInvalidMemcpyDirection);
  if (bytes == 0) return cudaSuccess;
  if (dst == nullptr || src == nullptr || !copy_ranges_valid(dst, src, bytes, kind)) {
    return record_error(cudaErrorInvalidValue);
  }
  std::memmove(dst, src, bytes);
  return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind, cudaStream_t) {
  return cudaMemcpy(dst, src, bytes, kind);
}

cudaError_t cudaMemset(void* ptr, int value, std::size_t bytes) {
  if (bytes == 0) return cudaSuccess;
  if (!is_device_range(ptr, bytes)) return record_error(cudaErrorInvalidValue);
  std::memset(ptr, value, bytes);
  return cudaSuccess;
}

cudaError_t cudaMemsetAsync(void* ptr, int value, std::size_t bytes, cudaStream_t) {
  return cudaMemset(ptr, value, bytes);
}

// Launches complete before they return, so there is never anything to wait for.
cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }
cudaError_t cudaStreamSynchronize(cudaStream_t) { return cudaSuccess; }

// Every stream is the one in-order host queue; a distinct non-null handle keeps
// code that checks its streams happy.
cudaError_t cudaStreamCreate(cudaStream_t* stream) {
  if (stream == nullptr) return record_error(cudaErrorInvalidValue);
  static char the_stream;
  *stream = reinterpret_cast<cudaStream_t>(&the_stream);
  return cudaSuccess;
}
cudaError_t cudaStreamDestroy(cudaStream_t) { return cudaSuccess; }

cudaError_t cudaGetDeviceCount(int* count) {
  if (count == nullptr) return record_error(cudaErrorInvalidValue);
  *count = 1;
  return cudaSuccess;
}
cudaError_t cudaGetDevice(int* device) {
  if (device == nullptr) return record_error(cudaErrorInvalidValue);
  *device = 0;
  return cudaSuccess;
}
cudaError_t cudaSetDevice(int device) { return device == 0 ? cudaSuccess : record_error(cudaErrorInvalidValue); }

cudaError_t cudaGetLastError() {
  const cudaError_t e = last_error;
  last_error = cudaSuccess;
  return e;
}

cudaError_t cudaPeekAtLastError() { return last_error; }

namespace {

struct ErrorText {
  cudaError_t code;
  const char* name;
  const char* text;  // the CUDA runtime's wording
};

constexpr ErrorText error_texts[] = {
    {cudaSuccess, "cudaSuccess", "no error"},
    {cudaErrorInvalidValue, "cudaErrorInvalidValue", "invalid argument"},
    {cudaErrorMemoryAllocation, "cudaErrorMemoryAllocation", "out of memory"},
    {cudaErrorInvalidConfiguration, "cudaErrorInvalidConfiguration", "invalid configuration argument"},
    {cudaErrorInvalidDevicePointer, "cudaErrorInvalidDevicePointer", "invalid device pointer"},
    {cudaErrorInvalidMemcpyDirection, "cudaErrorInvalidMemcpyDirection", "invalid copy direction for memcpy"},
    {cudaErrorLaunchFailure, "cudaErrorLaunchFailure", "unspecified launch failure"},
};

const ErrorText* find_error_text(cudaError_t error) {
  for (const ErrorText& e : error_texts) {
    if (e.code == error) return &e;
  }
  return nullptr;
}

}  // namespace

const char* cudaGetErrorName(cudaError_t error) {
  const ErrorText* e = find_error_text(error);
  return e ? e->name : "cudaErrorUnknown";
}

const char* cudaGetErrorString(cudaError_t error) {
  const ErrorText* e = find_error_text(error);
  return e ? e->text : "unrecognized error code";
}
