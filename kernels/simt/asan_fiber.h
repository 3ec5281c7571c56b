#pragma once
// Tells AddressSanitizer about every switch between the scheduler's stack and
// a fiber's (no-ops in other builds). Without this ASan believes it is always
// on the thread's own stack: an exception thrown on a fiber (a kernel that
// throws, or Boost unwinding a fiber torn down after a fault) makes it unpoison
// the wrong range and report false stack overflows. Internal to kernels/simt.
//
// Protocol (ASan's): start_switch right before a switch, naming the stack being
// entered; finish_switch right after arriving. The creation hop Boost makes
// into a new fiber and straight back is left unannounced: it runs no
// instrumented code that depends on the current stack.

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#endif

namespace simt::detail {

struct AsanStack {
  const void* bottom = nullptr;  // lowest address
  std::size_t size = 0;
};

#if defined(__SANITIZE_ADDRESS__)

// `fake_stack` keeps the leaving context's fake stack (null: it is finished).
inline void asan_start_switch(void** fake_stack, const AsanStack& to) {
  __sanitizer_start_switch_fiber(fake_stack, to.bottom, to.size);
}
// `from` (may be null) receives the stack we came from.
inline void asan_finish_switch(void* fake_stack, AsanStack* from) {
  __sanitizer_finish_switch_fiber(fake_stack, from ? &from->bottom : nullptr, from ? &from->size : nullptr);
}

#else

inline void asan_start_switch(void**, const AsanStack&) {}
inline void asan_finish_switch(void*, AsanStack*) {}

#endif

}  // namespace simt::detail
