#pragma once
// __syncthreads and the warp primitives (__syncwarp, shuffles, votes).
//
// Each one is a *wait point*: the calling CUDA thread (a fiber) records what it
// waits at and switches back to the block scheduler, which resumes it once the
// whole group has arrived — the block for __syncthreads, the lanes named in
// `mask` for warp primitives — and has computed this lane's result. Every
// function takes the caller's file and line as defaulted arguments, so the
// scheduler's diagnostics (divergence, early exit, deadlock) name the source
// line of the primitive, not a line in this header.

#include <bit>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "advgrad/kernels/simt/thread_index.h"

namespace simt::detail {

// (wait_kind_name in block_scheduler.cpp lists their names in this order.)
enum class WaitKind : unsigned char { SyncThreads, SyncWarp, ShflIdx, ShflUp, ShflDown, ShflXor, Ballot, Any, All };

const char* wait_kind_name(WaitKind kind);

struct WaitPoint {
  WaitKind kind = WaitKind::SyncThreads;
  unsigned mask = 0;        // warp primitives: the lanes taking part
  std::uint64_t value = 0;  // shuffles: the bits sent; votes: the predicate
  int lane_arg = 0;         // srcLane / delta / laneMask
  int width = 32;           // shuffles: segment width
  const char* file = "";
  int line = 0;
};

// Both block until the group is complete. barrier_wait returns how many
// threads of the block passed a nonzero predicate; warp_wait, this lane's result.
unsigned barrier_wait(const char* file, int line, int predicate = 0);
std::uint64_t warp_wait(const WaitPoint& point);

template <class T>
std::uint64_t to_bits(T v) {
  static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= 8, "warp shuffles move at most 8 bytes");
  std::uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof(T));
  return bits;
}

template <class T>
T from_bits(std::uint64_t bits) {
  T v;
  std::memcpy(&v, &bits, sizeof(T));
  return v;
}

template <class T>
T shuffle(WaitKind kind, unsigned mask, T var, int arg, int width, const char* file, int line) {
  return from_bits<T>(warp_wait({kind, mask, to_bits(var), arg, width, file, line}));
}

}  // namespace simt::detail

inline void __syncthreads(const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  simt::detail::barrier_wait(file, line);
}

// The barrier's reductions over a predicate: every thread gets the result.
inline int __syncthreads_count(int predicate, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  return static_cast<int>(simt::detail::barrier_wait(file, line, predicate));
}

inline int __syncthreads_and(int predicate, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  return simt::detail::barrier_wait(file, line, predicate) == blockDim.x * blockDim.y * blockDim.z;
}

inline int __syncthreads_or(int predicate, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  return simt::detail::barrier_wait(file, line, predicate) != 0;
}

inline void __syncwarp(unsigned mask = 0xffffffffu, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  simt::detail::warp_wait({simt::detail::WaitKind::SyncWarp, mask, 0, 0, 32, file, line});
}

template <class T>
T __shfl_sync(unsigned mask, T var, int src_lane, int width = 32, const char* file = __builtin_FILE(),
              int line = __builtin_LINE()) {
  return simt::detail::shuffle(simt::detail::WaitKind::ShflIdx, mask, var, src_lane, width, file, line);
}

template <class T>
T __shfl_up_sync(unsigned mask, T var, unsigned delta, int width = 32, const char* file = __builtin_FILE(),
                 int line = __builtin_LINE()) {
  return simt::detail::shuffle(simt::detail::WaitKind::ShflUp, mask, var, static_cast<int>(delta), width, file, line);
}

template <class T>
T __shfl_down_sync(unsigned mask, T var, unsigned delta, int width = 32, const char* file = __builtin_FILE(),
                   int line = __builtin_LINE()) {
  return simt::detail::shuffle(simt::detail::WaitKind::ShflDown, mask, var, static_cast<int>(delta), width, file, line);
}

template <class T>
T __shfl_xor_sync(unsigned mask, T var, int lane_mask, int width = 32, const char* file = __builtin_FILE(),
                  int line = __builtin_LINE()) {
  return simt::detail::shuffle(simt::detail::WaitKind::ShflXor, mask, var, lane_mask, width, file, line);
}

inline unsigned __ballot_sync(unsigned mask, int predicate, const char* file = __builtin_FILE(),
                              int line = __builtin_LINE()) {
  return static_cast<unsigned>(
      simt::detail::warp_wait({simt::detail::WaitKind::Ballot, mask, predicate != 0, 0, 32, file, line}));
}

inline int __any_sync(unsigned mask, int predicate, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  return static_cast<int>(
      simt::detail::warp_wait({simt::detail::WaitKind::Any, mask, predicate != 0, 0, 32, file, line}));
}

inline int __all_sync(unsigned mask, int predicate, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  return static_cast<int>(
      simt::detail::warp_wait({simt::detail::WaitKind::All, mask, predicate != 0, 0, 32, file, line}));
}

// Memory fences order nothing on one OS thread, but keep them real fences so
// a future multi-worker scheduler stays correct.
inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void __threadfence_block() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
