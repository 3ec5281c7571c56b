#pragma once
// CachingAllocator: keeps freed device blocks for reuse instead of returning
// them to the driver. cudaMalloc and cudaFree are slow (they synchronise the
// device and take a driver lock), and a training step frees and allocates the
// same sizes every iteration; with the cache, steps after the first make no
// raw allocation at all.
//
// Blocks are binned by size class: requests round up to a multiple of 512
// bytes below 1 MiB and of 2 MiB above, and a freed block waits on the free
// list of its class until a request of that class takes it. Exact classes (no
// splitting) keep the bookkeeping easy to read; the price is up to one class of
// slack per block. When the raw allocator fails, the cache is released and the
// request retried once before the error propagates.
//
// max_cached bounds the bytes parked in the cache: a freed block that would
// take the cache above it goes straight back to the raw allocator (the CPU
// backend's cache uses it, so a process that moves on to other shapes does not
// keep every old one).
//
// The raw allocator is a pair of functions, so tests drive this class with a
// counting host allocator. Thread-safe.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace advgrad {

struct MemoryStats {
  std::size_t allocated = 0;       // bytes in live blocks (rounded to their class)
  std::size_t reserved = 0;        // allocated + cached: what the device has given us
  std::size_t peak_allocated = 0;  // since construction or reset_peak()
  std::size_t peak_reserved = 0;
  std::int64_t raw_allocations = 0;  // calls to the raw allocator (cudaMalloc)
  std::int64_t raw_frees = 0;
  std::int64_t cache_hits = 0;  // requests served from the cache
  std::int64_t live_blocks = 0;
};

class CachingAllocator {
 public:
  using RawAllocate = std::function<void*(std::size_t)>;  // throws on failure
  using RawFree = std::function<void(void*)>;

  CachingAllocator(RawAllocate allocate, RawFree free, bool caching = true,
                   std::size_t max_cached = static_cast<std::size_t>(-1));
  ~CachingAllocator();  // returns every cached block; live blocks are the owners' to free
  CachingAllocator(const CachingAllocator&) = delete;
  CachingAllocator& operator=(const CachingAllocator&) = delete;

  void* allocate(std::size_t bytes);
  void deallocate(void* ptr);  // a pointer from allocate(); nullptr is ignored
  void empty_cache();          // returns the cached (free) blocks to the raw allocator
  MemoryStats stats() const;
  void reset_peak();

  static std::size_t size_class(std::size_t bytes);

 private:
  void release_cached_locked();

  RawAllocate raw_allocate_;
  RawFree raw_free_;
  bool caching_;
  std::size_t max_cached_;
  mutable std::mutex mutex_;
  std::unordered_map<void*, std::size_t> live_;     // pointer -> class size
  std::map<std::size_t, std::vector<void*>> free_;  // class size -> cached blocks
  MemoryStats stats_;
};

}  // namespace advgrad
