#include "advgrad/kernels/simt/block_scheduler.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <utility>

#include "advgrad/kernels/simt/kernel_error.h"
#include "advgrad/kernels/simt/message.h"

namespace simt::detail {

namespace ctx = boost::context;

namespace {

// The CUDA thread this OS thread is running, null between switches.
thread_local FiberThread* running_thread = nullptr;
// The scheduler's stack, as AddressSanitizer reported it when a fiber arrived.
thread_local AsanStack scheduler_stack;

AsanStack stack_of(const FiberThread& t) { return {static_cast<const char*>(t.stack.sp) - t.stack.size, t.stack.size}; }

// Suspends the running fiber `t` until the scheduler resumes it (or tears it
// down: then resume() throws Boost's forced_unwind, and the guard still
// completes ASan's switch protocol before the stack unwinds).
void switch_to_scheduler(FiberThread& t) {
  struct Arrived {
    FiberThread& t;
    ~Arrived() { asan_finish_switch(t.asan_fake_stack, nullptr); }
  };
  asan_start_switch(&t.asan_fake_stack, scheduler_stack);
  Arrived arrived{t};
  t.scheduler = std::move(t.scheduler).resume();
}

constexpr unsigned lanes_per_warp = 32;

bool same_line(const WaitPoint& a, const WaitPoint& b) {
  return a.line == b.line && (a.file == b.file || std::strcmp(a.file, b.file) == 0);
}

// Lanes of one warp may meet only at the same primitive with the same mask. The
// line must match too, except for __syncwarp, which on sm_70+ may pair calls
// from different branches.
bool same_warp_op(const WaitPoint& a, const WaitPoint& b) {
  return a.kind == b.kind && a.mask == b.mask && (a.kind == WaitKind::SyncWarp || same_line(a, b));
}

bool is_shuffle(WaitKind kind) {
  return kind == WaitKind::ShflIdx || kind == WaitKind::ShflUp || kind == WaitKind::ShflDown ||
         kind == WaitKind::ShflXor;
}

std::string hex(unsigned mask) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", mask);
  return buf;
}

std::string coords(uint3 v) {
  return concat("(", std::to_string(v.x), ",", std::to_string(v.y), ",", std::to_string(v.z), ")");
}

}  // namespace

const char* wait_kind_name(WaitKind kind) {
  // In the order of WaitKind's enumerators.
  static constexpr const char* names[] = {"__syncthreads",  "__syncwarp",       "__shfl_sync",
                                          "__shfl_up_sync", "__shfl_down_sync", "__shfl_xor_sync",
                                          "__ballot_sync",  "__any_sync",       "__all_sync"};
  return names[static_cast<unsigned>(kind)];
}

std::string where(const WaitPoint& point) {
  return concat(wait_kind_name(point.kind), " at ", point.file, ":", std::to_string(point.line));
}

std::uint64_t next_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// ---- wait points, called on a CUDA thread's fiber -----------------------------

unsigned barrier_wait(const char* file, int line, int predicate) {
  FiberThread& t = BlockScheduler::current("__syncthreads");
  t.wait = {WaitKind::SyncThreads, 0, predicate != 0, 0, 32, file, line};
  t.state = ThreadState::AtBarrier;
  switch_to_scheduler(t);
  return static_cast<unsigned>(t.result);
}

std::uint64_t warp_wait(const WaitPoint& point) {
  FiberThread& t = BlockScheduler::current(wait_kind_name(point.kind));
  const unsigned lane = t.linear % lanes_per_warp;
  if ((point.mask & (1u << lane)) == 0) {
    throw KernelError(concat("thread ", coords(t.idx), " (lane ", std::to_string(lane), ") calls ", where(point),
                             " with mask ", hex(point.mask), ", which does not include its own lane"));
  }
  if (is_shuffle(point.kind) && (point.width < 1 || point.width > 32 || (point.width & (point.width - 1)) != 0)) {
    throw KernelError(concat("thread ", coords(t.idx), " calls ", where(point), " with width ",
                             std::to_string(point.width), ", not a power of two in 1..32"));
  }
  t.wait = point;
  t.state = ThreadState::AtWarp;
  switch_to_scheduler(t);
  return t.result;
}

// ---- the scheduler ----------------------------------------------------------------

BlockScheduler::BlockScheduler(const LaunchSite& site, ThreadBody body, const Order& order, StackPool& stacks)
    : site_(site), body_(body), order_(order), stacks_(stacks) {
  threads_.resize(static_cast<std::size_t>(site.block.x) * site.block.y * site.block.z);
  runnable_.reserve(threads_.size());
}

FiberThread& BlockScheduler::current(const char* primitive) {
  if (running_thread == nullptr) {
    throw KernelError(concat("simt: ", primitive, " called outside a kernel run by the SIMT emulator"));
  }
  return *running_thread;
}

bool BlockScheduler::in_kernel() { return running_thread != nullptr; }

void BlockScheduler::run(uint3 block, std::uint64_t seed) {
  block_ = block;
  rng_ = seed;
  at_barrier_ = at_warp_ = exited_ = 0;
  thread_exception_ = nullptr;
  std::exception_ptr failure;
  try {
    start_threads();
    run_rounds();
  } catch (...) {
    failure = std::current_exception();
  }
  // Outside the handler: tearing down suspended fibers unwinds their stacks
  // with an exception of Boost's own, which must not nest inside ours.
  abandon_threads();
  if (failure) std::rethrow_exception(failure);
}

void BlockScheduler::start_threads() {
  const dim3 d = site_.block;
  runnable_.clear();
  for (unsigned i = 0; i < threads_.size(); ++i) {
    FiberThread& t = threads_[i];
    t.linear = i;
    t.idx = {i % d.x, (i / d.x) % d.y, i / (d.x * d.y)};
    t.state = ThreadState::Runnable;
    t.started = false;
    runnable_.push_back(i);
  }
}

// Created on first resume rather than up front: a block torn down by a fault
// then has only fibers suspended at wait points to unwind.
void BlockScheduler::start_fiber(FiberThread& t) {
  t.fiber = ctx::fiber(std::allocator_arg, PooledStack{&stacks_, &t.stack},
                       [this, &t](ctx::fiber&& scheduler) { return thread_main(t, std::move(scheduler)); });
  t.started = true;
}

ctx::fiber BlockScheduler::thread_main(FiberThread& t, ctx::fiber&& scheduler) {
  asan_finish_switch(nullptr, &scheduler_stack);
  t.scheduler = std::move(scheduler);
  try {
    body_();
  } catch (const ctx::detail::forced_unwind&) {
    asan_start_switch(nullptr, scheduler_stack);  // this stack is finished
    throw;                                        // Boost tearing the fiber down: let it through
  } catch (const KernelError& e) {
    // A primitive called wrongly (warp_wait): add the block and launch site.
    if (!thread_exception_)
      thread_exception_ = std::make_exception_ptr(KernelError(describe("invalid warp primitive", e.what())));
  } catch (...) {
    if (!thread_exception_) thread_exception_ = std::current_exception();
  }
  t.state = ThreadState::Exited;
  asan_start_switch(nullptr, scheduler_stack);
  return std::move(t.scheduler);
}

void BlockScheduler::run_rounds() {
  for (;;) {
    order_runnable();
    for (const unsigned i : runnable_) {
      resume(threads_[i]);
      if (thread_exception_) std::rethrow_exception(thread_exception_);
    }
    runnable_.clear();
    if (!release_waiting()) return;
  }
}

void BlockScheduler::resume(FiberThread& t) {
  if (!t.started) start_fiber(t);
  threadIdx = t.idx;
  running_thread = &t;
  void* fake_stack = nullptr;
  asan_start_switch(&fake_stack, stack_of(t));
  t.fiber = std::move(t.fiber).resume();
  asan_finish_switch(fake_stack, nullptr);
  running_thread = nullptr;
  switch (t.state) {
    case ThreadState::AtBarrier:
      ++at_barrier_;
      break;
    case ThreadState::AtWarp:
      ++at_warp_;
      break;
    case ThreadState::Exited:
      ++exited_;
      break;
    case ThreadState::Runnable:
      break;  // it threw; run_rounds rethrows
  }
}

void BlockScheduler::abandon_threads() noexcept {
  for (FiberThread& t : threads_) {
    if (t.fiber) {
      running_thread = &t;
      void* fake_stack = nullptr;
      asan_start_switch(&fake_stack, stack_of(t));
      t.fiber = {};  // unwinds the suspended thread's stack, running its destructors
      asan_finish_switch(fake_stack, nullptr);
    }
    t.scheduler = {};
  }
  running_thread = nullptr;
}

void BlockScheduler::order_runnable() {
  switch (order_.kind) {
    case Order::Kind::Forward:
      return;  // runnable_ is built in ascending thread order
    case Order::Kind::Reverse:
      std::reverse(runnable_.begin(), runnable_.end());
      return;
    case Order::Kind::Random:
      for (std::size_t i = runnable_.size(); i > 1; --i) {
        std::swap(runnable_[i - 1], runnable_[next_random(rng_) % i]);
      }
      return;
  }
}

// After a round: every live thread waits somewhere. Returns false when all have
// returned; throws when the waits can never all be satisfied.
bool BlockScheduler::release_waiting() {
  if (at_warp_ > 0) release_warp_groups();
  if (!runnable_.empty()) return true;
  if (at_barrier_ == 0) return false;  // every thread has returned
  release_barrier();
  return true;
}

void BlockScheduler::release_warp_groups() {
  for (FiberThread& t : threads_) {
    if (t.state == ThreadState::AtWarp) release_warp_group(t);
  }
}

// `first` waits at a warp primitive: release its group, or explain why it can
// never complete.
void BlockScheduler::release_warp_group(FiberThread& first) {
  const WaitPoint& op = first.wait;
  const unsigned warp_base = first.linear / lanes_per_warp * lanes_per_warp;
  const unsigned warp_lanes = std::min<unsigned>(lanes_per_warp, static_cast<unsigned>(threads_.size()) - warp_base);
  const unsigned present = warp_lanes == lanes_per_warp ? ~0u : (1u << warp_lanes) - 1;
  // Mask bits beyond the block's last thread name lanes that do not exist; a
  // full mask in a partial last warp is common and means "all of us".
  const unsigned group = op.mask & present;

  std::array<const WaitPoint*, 32> points{};
  for (unsigned lane = 0; lane < warp_lanes; ++lane) {
    if ((group & (1u << lane)) == 0) continue;
    const FiberThread& other = threads_[warp_base + lane];
    const auto who = [&] { return concat("lane ", std::to_string(lane), " (thread ", coords(other.idx), ")"); };
    switch (other.state) {
      case ThreadState::Exited:
        fail("warp divergence", concat(thread_name(first), " waits at ", where(op), " with mask ", hex(op.mask),
                                       ", but ", who(), " of that mask has exited"));
      case ThreadState::AtBarrier:
        fail("deadlock", concat(thread_name(first), " waits at ", where(op), " with mask ", hex(op.mask), " for ",
                                who(), ", which waits at ", where(other.wait), " and can never arrive"));
      case ThreadState::AtWarp:
        if (!same_warp_op(op, other.wait)) {
          fail("warp divergence",
               concat(thread_name(first), " waits at ", where(op), " with mask ", hex(op.mask), ", but ", who(),
                      " waits at ", where(other.wait), " with mask ", hex(other.wait.mask)));
        }
        break;
      case ThreadState::Runnable:
        break;  // cannot happen after a round: every live thread waits
    }
    points[lane] = &other.wait;
  }
  std::array<std::uint64_t, 32> results{};
  for (unsigned lane = 0; lane < warp_lanes; ++lane) {
    if ((group & (1u << lane)) != 0) results[lane] = warp_result(lane, group, points);
  }
  for (unsigned lane = 0; lane < warp_lanes; ++lane) {
    if ((group & (1u << lane)) == 0) continue;
    FiberThread& t = threads_[warp_base + lane];
    t.result = results[lane];
    t.state = ThreadState::Runnable;
    runnable_.push_back(t.linear);
    --at_warp_;
  }
}

void BlockScheduler::release_barrier() {
  const FiberThread* first = nullptr;
  const FiberThread* gone = nullptr;
  for (const FiberThread& t : threads_) {
    if (t.state == ThreadState::Exited) {
      if (gone == nullptr) gone = &t;
    } else if (first == nullptr) {
      first = &t;
    } else if (!same_line(first->wait, t.wait)) {
      fail("barrier divergence", concat(thread_name(*first), " waits at ", where(first->wait), ", but ", thread_name(t),
                                        " waits at ", where(t.wait)));
    }
  }
  if (gone != nullptr) {
    fail("early exit", concat(thread_name(*gone), " returned while ", std::to_string(at_barrier_), " of ",
                              std::to_string(threads_.size()), " threads wait at ", where(first->wait),
                              " (every thread of a block must reach each __syncthreads)"));
  }
  std::uint64_t votes = 0;  // for __syncthreads_count/_and/_or
  for (const FiberThread& t : threads_) votes += t.wait.value;
  for (FiberThread& t : threads_) {
    t.result = votes;
    t.state = ThreadState::Runnable;
    runnable_.push_back(t.linear);
  }
  at_barrier_ = 0;
}

std::string BlockScheduler::thread_name(const FiberThread& t) const { return concat("thread ", coords(t.idx)); }

std::string BlockScheduler::describe(const std::string& kind, const std::string& detail) const {
  return concat("simt: ", kind, " in block ", coords(block_), " of ", site_.kernel_name, ": ", detail, " [launched at ",
                site_.file, ":", std::to_string(site_.line), "]");
}

void BlockScheduler::fail(const std::string& kind, const std::string& detail) const {
  throw KernelError(describe(kind, detail));
}

}  // namespace simt::detail
