#pragma once
// simt::Launch: what ADVGRAD_LAUNCH (kernels/cuda/launch.h) expands to on the
// host. It plays the part of `kernel<<<grid, block, shared, stream>>>(args...)`:
// converts the arguments to the kernel's parameter types once (CUDA copies
// kernel arguments at launch), then has the scheduler run every thread of every
// block on those copies.
//
// Returns cudaSuccess, or the launch error that cudaGetLastError also reports:
// cudaErrorInvalidConfiguration for a block of more than 1024 threads, a zero
// or out-of-range dimension; cudaErrorInvalidValue for more dynamic shared
// memory than the 48 KiB default. Code meant for both worlds ignores the return
// value (a real launch has none) and calls cudaGetLastError. A kernel fault the
// scheduler detects throws simt::KernelError (kernels/simt/kernel_error.h).

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "advgrad/kernels/simt/runtime.h"
#include "advgrad/kernels/simt/thread_index.h"

namespace simt::detail {

// A non-owning reference to the closure every emulated thread runs.
struct ThreadBody {
  void* closure;
  void (*call)(void* closure);

  template <class F>
  static ThreadBody of(F& f) {
    return {&f, [](void* c) { (*static_cast<F*>(c))(); }};
  }
  void operator()() const { call(closure); }
};

struct LaunchSite {
  dim3 grid;
  dim3 block;
  std::size_t shared_bytes;
  const char* kernel_name;
  const char* file;
  int line;
};

cudaError_t launch(const LaunchSite& site, ThreadBody body);

}  // namespace simt::detail

namespace simt {

// The dynamic shared memory of the running block (ADVGRAD_DYNAMIC_SHARED).
void* dynamic_shared_memory();

template <class... Params>
class Launch {
 public:
  Launch(void (*kernel)(Params...), dim3 grid, dim3 block, std::size_t shared_bytes, cudaStream_t /*stream*/,
         const char* kernel_name, const char* file, int line)
      : kernel_(kernel), site_{grid, block, shared_bytes, kernel_name, file, line} {}

  template <class... Args>
  cudaError_t operator()(Args&&... args) const {
    static_assert(sizeof...(Args) == sizeof...(Params), "wrong number of kernel arguments");
    const std::tuple<std::remove_cvref_t<Params>...> params(std::forward<Args>(args)...);
    auto run_thread = [&] { std::apply(kernel_, params); };
    return detail::launch(site_, detail::ThreadBody::of(run_thread));
  }

 private:
  void (*kernel_)(Params...);
  detail::LaunchSite site_;
};

}  // namespace simt
