#include "advgrad/core/backend/caching_allocator.h"

#include <algorithm>
#include <utility>

#include "advgrad/core/error.h"

namespace advgrad {

namespace {
constexpr std::size_t kSmallGranule = 512;
constexpr std::size_t kLargeThreshold = std::size_t{1} << 20;
constexpr std::size_t kLargeGranule = std::size_t{2} << 20;

std::size_t round_up(std::size_t n, std::size_t granule) { return (n + granule - 1) / granule * granule; }
}  // namespace

std::size_t CachingAllocator::size_class(std::size_t bytes) {
  bytes = std::max<std::size_t>(bytes, 1);
  return bytes < kLargeThreshold ? round_up(bytes, kSmallGranule) : round_up(bytes, kLargeGranule);
}

CachingAllocator::CachingAllocator(RawAllocate allocate, RawFree free, bool caching, std::size_t max_cached)
    : raw_allocate_(std::move(allocate)), raw_free_(std::move(free)), caching_(caching), max_cached_(max_cached) {}

CachingAllocator::~CachingAllocator() {
  std::lock_guard lock(mutex_);
  try {
    release_cached_locked();
  } catch (const std::exception&) {
    // At process exit the driver may already be gone; the memory goes with it.
  }
}

void* CachingAllocator::allocate(std::size_t bytes) {
  // Without caching, blocks keep their exact size, so AddressSanitizer under
  // the emulated device sees a read one past the end of a tensor.
  const std::size_t size = caching_ ? size_class(bytes) : std::max<std::size_t>(bytes, 1);
  std::lock_guard lock(mutex_);
  void* p = nullptr;
  auto bin = free_.find(size);
  if (bin != free_.end() && !bin->second.empty()) {
    p = bin->second.back();
    bin->second.pop_back();
    ++stats_.cache_hits;
  } else {
    try {
      p = raw_allocate_(size);
    } catch (const std::exception&) {
      // Out of memory with blocks parked in the cache: give them back, try once more.
      if (stats_.reserved == stats_.allocated) throw;
      release_cached_locked();
      p = raw_allocate_(size);
    }
    ++stats_.raw_allocations;
    stats_.reserved += size;
    stats_.peak_reserved = std::max(stats_.peak_reserved, stats_.reserved);
  }
  live_.emplace(p, size);
  stats_.allocated += size;
  stats_.peak_allocated = std::max(stats_.peak_allocated, stats_.allocated);
  ++stats_.live_blocks;
  return p;
}

void CachingAllocator::deallocate(void* ptr) {
  if (ptr == nullptr) return;
  std::lock_guard lock(mutex_);
  auto it = live_.find(ptr);
  ADVGRAD_CHECK(it != live_.end(), "CachingAllocator::deallocate: pointer was not allocated here");
  const std::size_t size = it->second;
  live_.erase(it);
  stats_.allocated -= size;
  --stats_.live_blocks;
  // reserved - allocated: the cached bytes, this block included.
  if (caching_ && stats_.reserved - stats_.allocated <= max_cached_) {
    free_[size].push_back(ptr);
  } else {
    raw_free_(ptr);
    ++stats_.raw_frees;
    stats_.reserved -= size;
  }
}

void CachingAllocator::release_cached_locked() {
  for (auto& [size, blocks] : free_) {
    for (void* p : blocks) {
      raw_free_(p);
      ++stats_.raw_frees;
      stats_.reserved -= size;
    }
  }
  free_.clear();
}

void CachingAllocator::empty_cache() {
  std::lock_guard lock(mutex_);
  release_cached_locked();
}

MemoryStats CachingAllocator::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void CachingAllocator::reset_peak() {
  std::lock_guard lock(mutex_);
  stats_.peak_allocated = stats_.allocated;
  stats_.peak_reserved = stats_.reserved;
}

}  // namespace advgrad
