#include "advgrad/kernels/simt/fiber_stack.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <new>

namespace simt::detail {

namespace {

constexpr std::size_t kib = 1024;

std::size_t default_stack_bytes() {
#if defined(__SANITIZE_ADDRESS__)
  return 64 * kib;
#else
  return 16 * kib;
#endif
}

std::size_t page_bytes() { return static_cast<std::size_t>(sysconf(_SC_PAGESIZE)); }

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

}  // namespace

std::size_t fiber_stack_bytes() {
  static const std::size_t bytes = [] {
    std::size_t n = default_stack_bytes();
    if (const char* env = std::getenv("ADVGRAD_SIMT_STACK_KIB"); env != nullptr && *env != '\0') {
      const long kb = std::strtol(env, nullptr, 10);
      if (kb >= 4) n = static_cast<std::size_t>(kb) * kib;
    }
    return round_up(n, page_bytes());
  }();
  return bytes;
}

StackPool::StackPool(std::size_t stack_bytes) : stack_bytes_(stack_bytes), guard_bytes_(page_bytes()) {}

StackPool::~StackPool() {
  for (void* base : all_) munmap(base, guard_bytes_ + stack_bytes_);
}

boost::context::stack_context StackPool::allocate() {
  void* base = nullptr;
  if (!free_.empty()) {
    base = free_.back();
    free_.pop_back();
  } else {
    base = mmap(nullptr, guard_bytes_ + stack_bytes_, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) throw std::bad_alloc();
    if (mprotect(base, guard_bytes_, PROT_NONE) != 0) {
      munmap(base, guard_bytes_ + stack_bytes_);
      throw std::bad_alloc();
    }
    all_.push_back(base);
    free_.reserve(all_.size());  // so deallocate, which is noexcept, never allocates
  }
#if defined(__SANITIZE_ADDRESS__)
  // A fiber torn down by an exception leaves its frames' redzones poisoned
  // (ASan unpoisons only the stack it knows as the thread's): start clean.
  ASAN_UNPOISON_MEMORY_REGION(static_cast<char*>(base) + guard_bytes_, stack_bytes_);
#endif
  boost::context::stack_context stack;
  stack.size = stack_bytes_;
  stack.sp = static_cast<char*>(base) + guard_bytes_ + stack_bytes_;  // stacks grow down from the top
  return stack;
}

void StackPool::deallocate(boost::context::stack_context& stack) noexcept {
  free_.push_back(static_cast<char*>(stack.sp) - stack_bytes_ - guard_bytes_);
}

}  // namespace simt::detail
