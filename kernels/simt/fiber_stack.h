#pragma once
// Stacks for the fibers that run CUDA threads.
//
// A launch creates one fiber per CUDA thread of each block, so stacks are
// reused, never returned to the system: each is mapped once (lazily committed
// by the kernel, with a PROT_NONE guard page below it so an overflow faults
// instead of corrupting a neighbour) and recycled through a per-OS-thread free
// list. A block of 1024 threads costs 1024 reserved stacks but only the pages
// the kernel touches.
//
// Size: 16 KiB by default. Typical kernels need under 4 KiB, but a printf from
// device code takes several KiB of glibc stack and unwinding an exception out of
// a fiber (a kernel that throws, or tearing down a block after a fault) needs
// the unwinder's frames too. Under AddressSanitizer, instrumented frames carry
// redzones and ASan reports run on the faulting stack, so the default is
// 64 KiB. ADVGRAD_SIMT_STACK_KIB overrides both.

#include <cstddef>
#include <vector>

#include <boost/context/stack_context.hpp>

namespace simt::detail {

std::size_t fiber_stack_bytes();

class StackPool {
 public:
  explicit StackPool(std::size_t stack_bytes);
  ~StackPool();
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  boost::context::stack_context allocate();
  void deallocate(boost::context::stack_context& stack) noexcept;

 private:
  std::size_t stack_bytes_;
  std::size_t guard_bytes_;
  std::vector<void*> free_;  // the low end (guard page) of each mapping
  std::vector<void*> all_;
};

// The allocator Boost.Context fibers are created with: a handle to a pool,
// and where to note the stack handed out (for AddressSanitizer's bookkeeping).
struct PooledStack {
  StackPool* pool;
  boost::context::stack_context* handed_out = nullptr;
  boost::context::stack_context allocate() {
    boost::context::stack_context stack = pool->allocate();
    if (handed_out != nullptr) *handed_out = stack;
    return stack;
  }
  void deallocate(boost::context::stack_context& stack) noexcept { pool->deallocate(stack); }
};

}  // namespace simt::detail
