// CPU backend: memory, elementwise, reductions, random numbers and GEMM.
#include "advgrad/core/backend/cpu_backend.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "advgrad/core/backend/caching_allocator.h"
#include "advgrad/core/error.h"
#include "advgrad/kernels/cpu/elementwise.h"
#include "advgrad/kernels/cpu/gemm.h"
#include "advgrad/kernels/cpu/parallel.h"
#include "advgrad/kernels/random.h"
#include "advgrad/kernels/reference/elementwise.h"
#include "advgrad/kernels/reference/gemm.h"

namespace advgrad {

namespace ref = kernels::reference;
namespace fast = kernels::cpu;

// ---- memory: 64-byte aligned (one cache line, one AVX-512 vector) ----
namespace {
void* aligned_block(std::size_t nbytes) {
  const std::size_t rounded = (std::max<std::size_t>(nbytes, 1) + 63) / 64 * 64;
  void* p = std::aligned_alloc(64, rounded);
  ADVGRAD_CHECK(p != nullptr, "cpu: out of memory allocating ", nbytes, " bytes");
  return p;
}

// Blocks of at least kCachedBytes go through a CachingAllocator. glibc serves
// such blocks with mmap (above its adaptive threshold) and returns them with
// munmap or a heap trim, so every training step used to map its activations
// afresh: the kernel zeroes each new page on first touch, and that page-fault
// work was billed to whichever kernel wrote the tensor first (ADVGRAD_PROFILE
// showed a free() at 120 us and ReLU at 2.4 GB/s; docs/performance.md). Smaller
// blocks stay with malloc, whose bins already reuse them, so a scalar does not
// take a 512-byte size class. Both CPU backends share the one cache, so a
// tensor allocated under ReferenceKernelsGuard and freed outside it (or the
// other way round) finds its block. ADVGRAD_CPU_CACHE_MB bounds the idle
// cache (default 1024; 0 turns caching off, as it is under AddressSanitizer).
constexpr std::size_t kCachedBytes = std::size_t{64} << 10;

// GCC defines __SANITIZE_ADDRESS__ under -fsanitize=address; clang answers __has_feature.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

std::size_t cache_limit_bytes() {
  std::size_t mb = kAddressSanitizer ? 0 : 1024;  // ASan must see every tensor freed, at its exact size
  if (const char* env = std::getenv("ADVGRAD_CPU_CACHE_MB"); env != nullptr && *env != '\0') {
    char* end = nullptr;
    const unsigned long long v = std::strtoull(env, &end, 10);
    ADVGRAD_CHECK(end != env && *end == '\0', "ADVGRAD_CPU_CACHE_MB: expected a whole number of MiB, got '", env,
                  "'");
    mb = static_cast<std::size_t>(v);
  }
  return mb << 20;
}

CachingAllocator& cpu_cache() {
  static CachingAllocator* const cache = [] {
    const std::size_t limit = cache_limit_bytes();
    return new CachingAllocator(aligned_block, std::free, limit > 0, limit);  // never destroyed, like the backends
  }();
  return *cache;
}
}  // namespace

MemoryStats cpu_cache_stats() { return cpu_cache().stats(); }

void* CpuBackend::allocate(std::size_t nbytes, Device) {
  return nbytes >= kCachedBytes ? cpu_cache().allocate(nbytes) : aligned_block(nbytes);
}
void CpuBackend::deallocate(void* ptr, std::size_t nbytes, Device) {
  if (nbytes >= kCachedBytes) {
    cpu_cache().deallocate(ptr);
  } else {
    std::free(ptr);
  }
}
void CpuBackend::copy_to_host(void* dst, const void* src, std::size_t n, Device) {
  if (n) std::memcpy(dst, src, n);
}
void CpuBackend::copy_from_host(void* dst, const void* src, std::size_t n, Device) {
  if (n) std::memcpy(dst, src, n);
}

// ---- elementwise ----
void CpuBackend::unary(kernels::UnaryOp op, DType dtype, const kernels::StridedLoop& loop, void* out,
                       const void* in, const kernels::OpParams& p) {
  dispatch_floating(dtype, kernels::unary_op_name(op), [&](auto tag) {
    using T = typename decltype(tag)::type;
    (reference_ ? ref::unary<T> : fast::unary<T>)(op, loop, static_cast<T*>(out), static_cast<const T*>(in), p);
  });
}

void CpuBackend::binary(kernels::BinaryOp op, DType dtype, const kernels::StridedLoop& loop, void* out,
                        const void* a, const void* b, const kernels::OpParams& p) {
  dispatch_all(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    (reference_ ? ref::binary<T> : fast::binary<T>)(op, loop, static_cast<T*>(out), static_cast<const T*>(a),
                                                    static_cast<const T*>(b), p);
  });
}

void CpuBackend::where(DType dtype, const kernels::StridedLoop& loop, void* out, const void* cond, const void* a,
                       const void* b) {
  dispatch_floating(dtype, "where", [&](auto tag) {
    using T = typename decltype(tag)::type;
    (reference_ ? ref::where<T> : fast::where<T>)(loop, static_cast<T*>(out), static_cast<const T*>(cond),
                                                  static_cast<const T*>(a), static_cast<const T*>(b));
  });
}

void CpuBackend::cast(DType out_dtype, DType in_dtype, const kernels::StridedLoop& loop, void* out,
                      const void* in) {
  dispatch_all(out_dtype, [&](auto out_tag) {
    using To = typename decltype(out_tag)::type;
    dispatch_all(in_dtype, [&](auto in_tag) {
      using From = typename decltype(in_tag)::type;
      (reference_ ? ref::cast<To, From> : fast::cast<To, From>)(loop, static_cast<To*>(out),
                                                                static_cast<const From*>(in));
    });
  });
}

void CpuBackend::fill(DType dtype, void* out, std::int64_t n, double value) {
  dispatch_all(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* o = static_cast<T*>(out);
    const T v = static_cast<T>(value);
    fast::parallel_for(0, n, 65536, [&](std::int64_t i0, std::int64_t i1) {
      for (std::int64_t i = i0; i < i1; ++i) o[i] = v;
    });
  });
}

// ---- reductions ----
void CpuBackend::reduce(kernels::ReduceOp op, DType dtype, const kernels::ReduceLoop& loop, void* out,
                        const void* in) {
  dispatch_floating(dtype, "reduce", [&](auto tag) {
    using T = typename decltype(tag)::type;
    (reference_ ? ref::reduce<T> : fast::reduce<T>)(op, loop, static_cast<T*>(out), static_cast<const T*>(in));
  });
}

void CpuBackend::arg_reduce(bool is_max, DType dtype, const kernels::ReduceLoop& loop, void* values,
                            std::int64_t* indices, const void* in) {
  dispatch_floating(dtype, is_max ? "argmax" : "argmin", [&](auto tag) {
    using T = typename decltype(tag)::type;
    (reference_ ? ref::arg_reduce<T> : fast::arg_reduce<T>)(is_max, loop, static_cast<T*>(values), indices,
                                                            static_cast<const T*>(in));
  });
}

// ---- random (the same bits on both CPU paths: the stream fixes every element) ----
// One Philox call yields four 32-bit words: element i uses word i % 4 of
// counter offset + i / 4 (kernels/random.h), so work in blocks of 4 elements.
void CpuBackend::random_uniform(DType dtype, void* out, std::int64_t n, double lo, double hi, std::uint64_t seed,
                                std::uint64_t offset) {
  dispatch_floating(dtype, "uniform", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* o = static_cast<T*>(out);
    const std::int64_t blocks = (n + 3) / 4;
    fast::parallel_for(0, blocks, 4096, [&](std::int64_t b0, std::int64_t b1) {
      for (std::int64_t b = b0; b < b1; ++b) {
        const auto words = kernels::philox4x32(offset + static_cast<std::uint64_t>(b), seed);
        for (std::int64_t lane = 0; lane < 4 && 4 * b + lane < n; ++lane) {
          const T u = kernels::bits_to_unit<T>(words[lane]);
          T v = static_cast<T>(lo + (hi - lo) * static_cast<double>(u));
          if (v >= static_cast<T>(hi) && hi > lo) v = static_cast<T>(lo);  // keep [lo, hi) after rounding
          o[4 * b + lane] = v;
        }
      }
    });
  });
}

// Normal element i uses words 2i and 2i+1: two normals per Philox call.
void CpuBackend::random_normal(DType dtype, void* out, std::int64_t n, double mean, double stddev,
                               std::uint64_t seed, std::uint64_t offset) {
  dispatch_floating(dtype, "normal", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* o = static_cast<T*>(out);
    const std::int64_t blocks = (n + 1) / 2;
    fast::parallel_for(0, blocks, 4096, [&](std::int64_t b0, std::int64_t b1) {
      for (std::int64_t b = b0; b < b1; ++b) {
        const auto w = kernels::philox4x32(offset + static_cast<std::uint64_t>(b), seed);
        for (std::int64_t k = 0; k < 2 && 2 * b + k < n; ++k)
          o[2 * b + k] = static_cast<T>(mean + stddev * kernels::box_muller(w[2 * k], w[2 * k + 1]));
      }
    });
  });
}

// ---- GEMM ----
void CpuBackend::gemm(DType dtype, const kernels::GemmParams& p, const void* a, const void* b, void* c) {
  dispatch_floating(dtype, "gemm", [&](auto tag) {
    using T = typename decltype(tag)::type;
    (reference_ ? ref::gemm<T> : fast::gemm<T>)(p, static_cast<const T*>(a), static_cast<const T*>(b),
                                                static_cast<T*>(c));
  });
}

}  // namespace advgrad
