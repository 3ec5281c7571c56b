#pragma once
// CUDA atomic functions on std::atomic_ref.
//
// Blocks run on one OS thread today, so plain read-modify-writes would give the
// same answers; real atomics keep that true if blocks ever run on several
// workers, and they are what ThreadSanitizer understands. GCC 12 has no
// fetch_max/fetch_add builtins for floating point, so float/double updates (and
// min/max, which std::atomic_ref lacks in C++20) are compare-and-swap loops.
//
// Like CUDA, there is no float atomicMax/atomicMin: kernels/cuda/atomic_float.h
// has portable ones built on atomicCAS.

#include <algorithm>
#include <atomic>

namespace simt::detail {

template <class T, class F>
T cas_update(T* address, F update) {
  std::atomic_ref<T> ref(*address);
  T old = ref.load(std::memory_order_relaxed);
  while (!ref.compare_exchange_weak(old, update(old), std::memory_order_relaxed)) {
  }
  return old;
}

template <class T>
T fetch_add(T* address, T v) {
  return std::atomic_ref<T>(*address).fetch_add(v, std::memory_order_relaxed);
}

template <class T>
T exchange(T* address, T v) {
  return std::atomic_ref<T>(*address).exchange(v, std::memory_order_relaxed);
}

template <class T>
T compare_and_swap(T* address, T compare, T value) {
  std::atomic_ref<T>(*address).compare_exchange_strong(compare, value, std::memory_order_relaxed);
  return compare;  // holds the old value whether or not the swap happened
}

}  // namespace simt::detail

inline int atomicAdd(int* a, int v) { return simt::detail::fetch_add(a, v); }
inline unsigned atomicAdd(unsigned* a, unsigned v) { return simt::detail::fetch_add(a, v); }
inline unsigned long long atomicAdd(unsigned long long* a, unsigned long long v) {
  return simt::detail::fetch_add(a, v);
}
inline float atomicAdd(float* a, float v) {
  return simt::detail::cas_update(a, [v](float old) { return old + v; });
}
inline double atomicAdd(double* a, double v) {
  return simt::detail::cas_update(a, [v](double old) { return old + v; });
}

inline int atomicSub(int* a, int v) { return simt::detail::fetch_add(a, -v); }
inline unsigned atomicSub(unsigned* a, unsigned v) { return simt::detail::fetch_add(a, 0u - v); }

inline int atomicMax(int* a, int v) {
  return simt::detail::cas_update(a, [v](int old) { return std::max(old, v); });
}
inline unsigned atomicMax(unsigned* a, unsigned v) {
  return simt::detail::cas_update(a, [v](unsigned old) { return std::max(old, v); });
}
inline int atomicMin(int* a, int v) {
  return simt::detail::cas_update(a, [v](int old) { return std::min(old, v); });
}
inline unsigned atomicMin(unsigned* a, unsigned v) {
  return simt::detail::cas_update(a, [v](unsigned old) { return std::min(old, v); });
}

inline int atomicExch(int* a, int v) { return simt::detail::exchange(a, v); }
inline unsigned atomicExch(unsigned* a, unsigned v) { return simt::detail::exchange(a, v); }
inline unsigned long long atomicExch(unsigned long long* a, unsigned long long v) {
  return simt::detail::exchange(a, v);
}
inline float atomicExch(float* a, float v) { return simt::detail::exchange(a, v); }

inline int atomicCAS(int* a, int compare, int v) { return simt::detail::compare_and_swap(a, compare, v); }
inline unsigned atomicCAS(unsigned* a, unsigned compare, unsigned v) {
  return simt::detail::compare_and_swap(a, compare, v);
}
inline unsigned long long atomicCAS(unsigned long long* a, unsigned long long compare, unsigned long long v) {
  return simt::detail::compare_and_swap(a, compare, v);
}

inline int atomicAnd(int* a, int v) { return std::atomic_ref<int>(*a).fetch_and(v, std::memory_order_relaxed); }
inline unsigned atomicAnd(unsigned* a, unsigned v) {
  return std::atomic_ref<unsigned>(*a).fetch_and(v, std::memory_order_relaxed);
}
inline int atomicOr(int* a, int v) { return std::atomic_ref<int>(*a).fetch_or(v, std::memory_order_relaxed); }
inline unsigned atomicOr(unsigned* a, unsigned v) {
  return std::atomic_ref<unsigned>(*a).fetch_or(v, std::memory_order_relaxed);
}
