// Gather and scatter-add along one dim (kernels/cuda/index.h), with the
// semantics of kernels/reference/index.cpp.
//
// Bad indices. Every kernel that reads the index checks it before use and
// never dereferences an out-of-range one; it records the position (row-major
// in `sizes`) with an atomicMin into a per-device status word. The launcher
// copies the word back, and for a bad position the index value stored there,
// so the result is the reference's: the FIRST bad index, whatever the thread
// order.
//
// gather: one thread per position of `sizes` (grid-stride), like the
// reference's loop.
//
// scatter_add: deterministic, and in the reference's order, without atomics.
// The reference adds, for each destination slot, the sources whose index
// points at it in increasing row-major position. Fixing a position's non-dim
// coordinates fixes its destination's non-dim coordinates, and distinct
// non-dim coordinates are distinct addresses (the contract of
// kernels/index_params.h); so the sources of one slot (c, k) -- c the non-dim
// coordinates, k its coordinate along `dim` -- are exactly the positions
// (c, j), j = 0 .. sizes[dim]-1, with index[c, j] == k, and row-major order
// among them is increasing j. One thread per slot walks j in order and adds
// into a register starting from the slot's value: the same additions in the
// same order as the reference, so the same bits. The iteration space is
// `sizes` with sizes[dim] replaced by indexed_size; each thread reads
// sizes[dim] indices. A validation pass first finds the first bad index (the
// scatter is skipped when there is one: the caller reports it and discards the
// output).
#include <cstdint>
#include <limits>
#include <mutex>
#include <string>

#include "advgrad/kernels/cuda/index.h"
#include "advgrad/kernels/cuda/launch.h"
#include "advgrad/kernels/cuda/launch_config.h"
#include "advgrad/kernels/cuda/runtime.h"

#if defined(__CUDACC__)
#include <cuda_runtime.h>
#endif

ADVGRAD_CUDA_NAMESPACE_BEGIN

namespace {

using u64 = unsigned long long;
constexpr u64 kNoBadIndex = std::numeric_limits<u64>::max();

// ---- the status word: one per device, allocated once (like the backends, never freed) ----
constexpr int kMaxDevices = 64;

// Callers hold status_mutex() from reset to read-back: host threads launching
// index kernels at once would otherwise share the word.
std::mutex& status_mutex() {
  static std::mutex mutex;
  return mutex;
}

u64* status_word() {
  static u64* words[kMaxDevices] = {};
  int device = 0;
  if (cudaGetDevice(&device) != cudaSuccess) {
    cudaGetLastError();
    device = 0;
  }
  if (device < 0 || device >= kMaxDevices) throw CudaError("index kernels: device ordinal out of range");
  if (words[device] == nullptr) words[device] = static_cast<u64*>(device_malloc(sizeof(u64)));
  return words[device];
}

// All bits set is kNoBadIndex; an asynchronous memset queues behind earlier
// work instead of blocking like a copy from pageable host memory.
void reset_status(u64* word) {
  const cudaError_t error = cudaMemsetAsync(word, 0xff, sizeof(u64), 0);
  if (error != cudaSuccess) {
    cudaGetLastError();
    throw CudaError(std::string("cudaMemsetAsync of the index status word: ") + cudaGetErrorName(error));
  }
}

__device__ __forceinline__ void record_bad(u64* word, std::int64_t position) {
  // atomicMin on 64 bits via compare-and-swap (portable to the emulator).
  u64 old = *word;
  const u64 p = static_cast<u64>(position);
  while (p < old) {
    const u64 assumed = old;
    old = atomicCAS(word, assumed, p);
    if (old == assumed) break;
  }
}

// The index's offset at row-major position `linear` of `sizes` (host side).
std::int64_t index_offset(const IndexLoop& loop, std::int64_t linear) {
  std::int64_t off = 0;
  for (int d = loop.ndim - 1; d >= 0; --d) {
    off += (linear % loop.sizes[d]) * loop.index_strides[d];
    linear /= loop.sizes[d];
  }
  return off;
}

IndexStatus read_status(const IndexLoop& loop, const u64* word, const std::int64_t* index) {
  u64 position = kNoBadIndex;
  copy_device_to_host(&position, word, sizeof position);  // synchronises with the kernel
  IndexStatus s;
  if (position == kNoBadIndex) return s;
  s.position = static_cast<std::int64_t>(position);
  copy_device_to_host(&s.value, index + index_offset(loop, s.position), sizeof s.value);
  return s;
}

std::int64_t count(const IndexLoop& loop) {
  std::int64_t n = 1;
  for (int d = 0; d < loop.ndim; ++d) n *= loop.sizes[d];
  return n;
}

struct Offsets {
  std::int64_t index = 0, dense = 0, indexed = 0;  // `indexed` leaves out `dim`
};

__device__ __forceinline__ Offsets offsets_at(const IndexLoop& loop, std::int64_t linear) {
  Offsets o;
  for (int d = loop.ndim - 1; d >= 0; --d) {
    const std::int64_t q = linear / loop.sizes[d];
    const std::int64_t i = linear - q * loop.sizes[d];
    linear = q;
    o.index += i * loop.index_strides[d];
    o.dense += i * loop.dense_strides[d];
    if (d != loop.dim) o.indexed += i * loop.indexed_strides[d];
  }
  return o;
}

template <typename T>
__global__ void __launch_bounds__(kElementwiseBlock)
    gather_kernel(IndexLoop loop, std::int64_t n, T* dense, const T* indexed, const std::int64_t* index, u64* bad) {
  const std::int64_t step = static_cast<std::int64_t>(blockDim.x) * gridDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    const Offsets o = offsets_at(loop, i);
    const std::int64_t k = index[o.index];
    if (k < 0 || k >= loop.indexed_size) {
      record_bad(bad, i);
      continue;
    }
    dense[o.dense] = indexed[o.indexed + k * loop.indexed_strides[loop.dim]];
  }
}

__global__ void __launch_bounds__(kElementwiseBlock)
    validate_kernel(IndexLoop loop, std::int64_t n, const std::int64_t* index, u64* bad) {
  const std::int64_t step = static_cast<std::int64_t>(blockDim.x) * gridDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    const std::int64_t k = index[offsets_at(loop, i).index];
    if (k < 0 || k >= loop.indexed_size) record_bad(bad, i);
  }
}

// One thread per destination slot: `slots` is `sizes` with sizes[dim] = indexed_size.
template <typename T>
__global__ void __launch_bounds__(kElementwiseBlock)
    scatter_add_kernel(IndexLoop loop, std::int64_t n_slots, T* indexed, const T* dense, const std::int64_t* index) {
  const std::int64_t walk = loop.sizes[loop.dim];
  const std::int64_t index_step = loop.index_strides[loop.dim], dense_step = loop.dense_strides[loop.dim];
  const std::int64_t step = static_cast<std::int64_t>(blockDim.x) * gridDim.x;
  for (std::int64_t s = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; s < n_slots; s += step) {
    std::int64_t rest = s, k = 0, index_off = 0, dense_off = 0, indexed_off = 0;
    for (int d = loop.ndim - 1; d >= 0; --d) {
      const std::int64_t size = d == loop.dim ? loop.indexed_size : loop.sizes[d];
      const std::int64_t q = rest / size;
      const std::int64_t i = rest - q * size;
      rest = q;
      indexed_off += i * loop.indexed_strides[d];
      if (d == loop.dim) {
        k = i;
      } else {
        index_off += i * loop.index_strides[d];
        dense_off += i * loop.dense_strides[d];
      }
    }
    T acc = indexed[indexed_off];
    bool hit = false;
    for (std::int64_t j = 0; j < walk; ++j) {
      if (index[index_off + j * index_step] == k) {  // a bad index equals no k in [0, indexed_size)
        acc += dense[dense_off + j * dense_step];
        hit = true;
      }
    }
    if (hit) indexed[indexed_off] = acc;
  }
}

}  // namespace

template <typename T>
IndexStatus gather(const IndexLoop& loop, T* dense, const T* indexed, const std::int64_t* index) {
  const std::int64_t n = count(loop);
  if (n <= 0) return {};
  std::lock_guard lock(status_mutex());
  u64* bad = status_word();
  reset_status(bad);
  ADVGRAD_LAUNCH(gather_kernel<T>, grid_for(n), kElementwiseBlock, 0, 0)(loop, n, dense, indexed, index, bad);
  check_launch("gather");
  return read_status(loop, bad, index);
}

template <typename T>
IndexStatus scatter_add(const IndexLoop& loop, T* indexed, const T* dense, const std::int64_t* index) {
  const std::int64_t n = count(loop);
  if (n <= 0) return {};
  std::lock_guard lock(status_mutex());
  u64* bad = status_word();
  reset_status(bad);
  ADVGRAD_LAUNCH(validate_kernel, grid_for(n), kElementwiseBlock, 0, 0)(loop, n, index, bad);
  check_launch("scatter_add (index check)");
  const IndexStatus status = read_status(loop, bad, index);
  if (!status.ok()) return status;
  // Every index is in range, so indexed_size >= 1 here.
  const std::int64_t n_slots = n / loop.sizes[loop.dim] * loop.indexed_size;
  ADVGRAD_LAUNCH(scatter_add_kernel<T>, grid_for(n_slots), kElementwiseBlock, 0, 0)(loop, n_slots, indexed, dense, index);
  check_launch("scatter_add");
  return status;
}

#define ADVGRAD_INSTANTIATE(T)                                                                       \
  template IndexStatus gather<T>(const IndexLoop&, T*, const T*, const std::int64_t*);              \
  template IndexStatus scatter_add<T>(const IndexLoop&, T*, const T*, const std::int64_t*);
ADVGRAD_INSTANTIATE(float)
ADVGRAD_INSTANTIATE(double)
ADVGRAD_INSTANTIATE(std::int64_t)
#undef ADVGRAD_INSTANTIATE

ADVGRAD_CUDA_NAMESPACE_END
