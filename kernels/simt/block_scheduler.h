#pragma once
// Runs one block: each CUDA thread is a Boost.Context fiber. A round resumes
// every runnable thread once, in the launch's order, and each runs until it
// reaches a wait point (__syncthreads or a warp primitive) or returns. Then the
// scheduler releases what can be released — first complete warp groups, then
// the barrier once every thread waits at it — and starts the next round. When
// nothing can be released the block is either finished or broken, and the
// checks below say how (with the file:line each thread waits at):
//   barrier divergence  threads wait at __syncthreads on different lines
//   early exit          a thread returned while others wait at __syncthreads
//   deadlock            a warp primitive needs a lane that waits at __syncthreads
//   warp divergence     a lane named in the mask has exited, or waits at another
//                       warp primitive / line / mask
// Internal to kernels/simt.

#include <array>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include <boost/context/fiber.hpp>

#include "advgrad/kernels/simt/asan_fiber.h"
#include "advgrad/kernels/simt/fiber_stack.h"
#include "advgrad/kernels/simt/launch.h"
#include "advgrad/kernels/simt/order.h"
#include "advgrad/kernels/simt/sync.h"

namespace simt::detail {

enum class ThreadState : unsigned char { Runnable, AtBarrier, AtWarp, Exited };

struct FiberThread {
  boost::context::fiber fiber;      // the suspended CUDA thread; empty once it has returned
  boost::context::fiber scheduler;  // where it switches to when it waits (valid while it runs)
  uint3 idx{};
  unsigned linear = 0;
  ThreadState state = ThreadState::Runnable;
  WaitPoint wait{};
  std::uint64_t result = 0;  // of the last warp primitive, set before it is resumed
  bool started = false;      // fibers are created on first resume
  boost::context::stack_context stack{};
  void* asan_fake_stack = nullptr;
};

class BlockScheduler {
 public:
  BlockScheduler(const LaunchSite& site, ThreadBody body, const Order& order, StackPool& stacks);
  BlockScheduler(const BlockScheduler&) = delete;
  BlockScheduler& operator=(const BlockScheduler&) = delete;

  // Runs block `block` to completion; `seed` drives a random order. Throws
  // KernelError for a fault the checks see, or what a thread threw.
  void run(uint3 block, std::uint64_t seed);

  // The CUDA thread running on this OS thread; throws KernelError naming
  // `primitive` when called from host code.
  static FiberThread& current(const char* primitive);
  static bool in_kernel();

 private:
  void start_threads();
  void run_rounds();
  void resume(FiberThread& t);
  void start_fiber(FiberThread& t);
  void abandon_threads() noexcept;
  void order_runnable();
  bool release_waiting();
  void release_warp_groups();
  void release_warp_group(FiberThread& first);
  void release_barrier();
  boost::context::fiber thread_main(FiberThread& t, boost::context::fiber&& scheduler);

  std::string describe(const std::string& kind, const std::string& detail) const;
  [[noreturn]] void fail(const std::string& kind, const std::string& detail) const;
  std::string thread_name(const FiberThread& t) const;

  const LaunchSite& site_;
  ThreadBody body_;
  Order order_;
  StackPool& stacks_;
  std::vector<FiberThread> threads_;
  std::vector<unsigned> runnable_;
  uint3 block_{};
  std::uint64_t rng_ = 0;
  unsigned at_barrier_ = 0;
  unsigned at_warp_ = 0;
  unsigned exited_ = 0;
  std::exception_ptr thread_exception_;
};

// Where a wait point is, for messages: "__shfl_sync at file:line".
std::string where(const WaitPoint& point);

// This lane's result of a complete warp primitive. `points[l]` is lane l's wait
// point for every lane l in `group` (the mask's lanes that exist); lanes read
// from outside the group get a poison value (warp_exchange.cpp).
std::uint64_t warp_result(unsigned lane, unsigned group, const std::array<const WaitPoint*, 32>& points);

// splitmix64: the generator behind the random orders (portable, unlike the
// distributions of <random>).
std::uint64_t next_random(std::uint64_t& state);

}  // namespace simt::detail
