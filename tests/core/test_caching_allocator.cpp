// CachingAllocator on a counting host allocator: size classes, reuse,
// statistics, empty_cache, and the retry after an out-of-memory failure.
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <stdexcept>

#include "advgrad/core/backend/caching_allocator.h"
#include "advgrad/core/error.h"

namespace advgrad {
namespace {

struct CountingHeap {
  std::set<void*> live;
  std::size_t budget = std::size_t(1) << 40;  // bytes the "device" can still give
  std::size_t in_use = 0;
  std::map<void*, std::size_t> sizes;
  CachingAllocator make(bool caching = true, std::size_t max_cached = static_cast<std::size_t>(-1)) {
    return CachingAllocator(
        [this](std::size_t n) {
          if (in_use + n > budget) throw std::runtime_error("out of memory");
          void* p = std::malloc(n);
          live.insert(p);
          sizes[p] = n;
          in_use += n;
          return p;
        },
        [this](void* p) {
          in_use -= sizes.at(p);
          sizes.erase(p);
          live.erase(p);
          std::free(p);
        },
        caching, max_cached);
  }
};

TEST(CachingAllocator, SizeClasses) {
  EXPECT_EQ(CachingAllocator::size_class(0), 512u);
  EXPECT_EQ(CachingAllocator::size_class(1), 512u);
  EXPECT_EQ(CachingAllocator::size_class(512), 512u);
  EXPECT_EQ(CachingAllocator::size_class(513), 1024u);
  EXPECT_EQ(CachingAllocator::size_class((1u << 20) - 1), 1u << 20);
  EXPECT_EQ(CachingAllocator::size_class((1u << 20) + 1), 2u << 20);
  EXPECT_EQ(CachingAllocator::size_class((5u << 20) + 3), 6u << 20);
}

TEST(CachingAllocator, ReusesFreedBlocksOfTheSameClass) {
  CountingHeap heap;
  CachingAllocator a = heap.make();
  void* p = a.allocate(1000);
  a.deallocate(p);
  void* q = a.allocate(900);  // same 1024-byte class
  EXPECT_EQ(p, q);
  void* r = a.allocate(3000);  // another class: a fresh block
  EXPECT_NE(r, q);
  const MemoryStats s = a.stats();
  EXPECT_EQ(s.raw_allocations, 2);
  EXPECT_EQ(s.cache_hits, 1);
  EXPECT_EQ(s.allocated, 1024u + 3072u);
  EXPECT_EQ(s.live_blocks, 2);
  a.deallocate(q);
  a.deallocate(r);
}

TEST(CachingAllocator, MaxCachedSendsTheOverflowBackToTheRawAllocator) {
  CountingHeap heap;
  CachingAllocator a = heap.make(true, 5000);  // room for a 4096-byte block, not for two
  void* p = a.allocate(4000);
  void* q = a.allocate(3900);
  void* r = a.allocate(700);
  a.deallocate(p);  // cached: 4096 bytes
  a.deallocate(q);  // 8192 > 5000: freed at once
  a.deallocate(r);  // 4096 + 1024 = 5120 > 5000: freed at once
  MemoryStats s = a.stats();
  EXPECT_EQ(s.raw_frees, 2);
  EXPECT_EQ(s.reserved, 4096u);
  EXPECT_EQ(heap.live.size(), 1u);
  EXPECT_EQ(a.allocate(4001), p);  // the one cached block is reused
  s = a.stats();
  EXPECT_EQ(s.cache_hits, 1);
  a.deallocate(p);
}

TEST(CachingAllocator, NoGrowthOverHundredIterations) {
  CountingHeap heap;
  CachingAllocator a = heap.make();
  for (int it = 0; it < 100; ++it) {
    std::vector<void*> step;
    for (std::size_t n : {100u, 4096u, 70000u, 3u << 20, 4096u}) step.push_back(a.allocate(n));
    for (void* p : step) a.deallocate(p);
  }
  const MemoryStats s = a.stats();
  EXPECT_EQ(s.raw_allocations, 5);
  EXPECT_EQ(s.cache_hits, 99 * 5);
  EXPECT_EQ(s.allocated, 0u);
  EXPECT_EQ(s.reserved, 512u + 2 * 4096u + 70144u + (4u << 20));
  EXPECT_EQ(s.peak_allocated, s.reserved);
  a.empty_cache();
  EXPECT_EQ(a.stats().reserved, 0u);
  EXPECT_EQ(a.stats().raw_frees, 5);
  EXPECT_TRUE(heap.live.empty());
}

TEST(CachingAllocator, PeakAndReset) {
  CountingHeap heap;
  CachingAllocator a = heap.make();
  void* p = a.allocate(1 << 20);
  void* q = a.allocate(1 << 20);
  a.deallocate(p);
  EXPECT_EQ(a.stats().peak_allocated, 2u * (2u << 20));
  a.reset_peak();
  EXPECT_EQ(a.stats().peak_allocated, 2u << 20);
  a.deallocate(q);
}

TEST(CachingAllocator, OutOfMemoryReleasesTheCacheAndRetries) {
  CountingHeap heap;
  heap.budget = 3000;
  CachingAllocator a = heap.make();
  void* p = a.allocate(2000);  // a 2048-byte block
  a.deallocate(p);             // cached: the heap still has 2048 in use
  void* q = a.allocate(1500);  // needs 1536 more: fails, the cache is released, the retry succeeds
  EXPECT_EQ(a.stats().raw_frees, 1);
  a.deallocate(q);
  a.empty_cache();
  void* big = nullptr;
  EXPECT_THROW(big = a.allocate(5000), std::runtime_error);  // a real failure still propagates
  EXPECT_EQ(big, nullptr);
}

TEST(CachingAllocator, WithoutCachingEveryBlockIsExactAndReturned) {
  CountingHeap heap;
  CachingAllocator a = heap.make(false);
  void* p = a.allocate(1000);
  EXPECT_EQ(heap.sizes.at(p), 1000u);
  a.deallocate(p);
  EXPECT_TRUE(heap.live.empty());
  EXPECT_EQ(a.stats().reserved, 0u);
}

TEST(CachingAllocator, ForeignPointerIsAnError) {
  CountingHeap heap;
  CachingAllocator a = heap.make();
  int x = 0;
  EXPECT_THROW(a.deallocate(&x), Error);
}

}  // namespace
}  // namespace advgrad
