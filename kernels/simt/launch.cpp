// A grid launch: validates the configuration like the CUDA runtime, then runs
// the blocks one after another on the calling thread, in the current order.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "advgrad/kernels/simt/block_scheduler.h"
#include "advgrad/kernels/simt/kernel_error.h"
#include "advgrad/kernels/simt/message.h"

namespace simt {

namespace {

// The limits of every GPU we target (sm_80, sm_90) without opt-in attributes.
constexpr unsigned max_threads_per_block = 1024;
constexpr unsigned max_block_z = 64;
constexpr unsigned max_grid_x = 2147483647u;
constexpr unsigned max_grid_yz = 65535;
constexpr std::size_t max_dynamic_shared_bytes = 48 * 1024;

std::atomic<ErrorMode> mode{ErrorMode::Throw};
thread_local std::string last_message;
thread_local void* dynamic_shared = nullptr;

cudaError_t validate(const detail::LaunchSite& site) {
  const dim3 g = site.grid;
  const dim3 b = site.block;
  if (g.x == 0 || g.y == 0 || g.z == 0 || b.x == 0 || b.y == 0 || b.z == 0) return cudaErrorInvalidConfiguration;
  if (b.x > max_threads_per_block || b.y > max_threads_per_block || b.z > max_block_z) {
    return cudaErrorInvalidConfiguration;
  }
  if (static_cast<unsigned long long>(b.x) * b.y * b.z > max_threads_per_block) return cudaErrorInvalidConfiguration;
  if (g.x > max_grid_x || g.y > max_grid_yz || g.z > max_grid_yz) return cudaErrorInvalidConfiguration;
  if (site.shared_bytes > max_dynamic_shared_bytes) return cudaErrorInvalidValue;
  return cudaSuccess;
}

uint3 block_coords(unsigned long long linear, dim3 grid) {
  return {static_cast<unsigned>(linear % grid.x), static_cast<unsigned>(linear / grid.x % grid.y),
          static_cast<unsigned>(linear / (static_cast<unsigned long long>(grid.x) * grid.y))};
}

// The blocks in the order they run: the thread order applies to blocks too, so
// a kernel that wrongly depends on blocks running in index order shows it.
std::vector<unsigned long long> block_order(unsigned long long count, const Order& order) {
  std::vector<unsigned long long> blocks(count);
  for (unsigned long long i = 0; i < count; ++i) blocks[i] = i;
  if (order.kind == Order::Kind::Reverse) std::reverse(blocks.begin(), blocks.end());
  if (order.kind == Order::Kind::Random) {
    std::uint64_t state = order.seed;
    for (std::size_t i = blocks.size(); i > 1; --i) std::swap(blocks[i - 1], blocks[detail::next_random(state) % i]);
  }
  return blocks;
}

// Restores the grid-wide built-ins however the launch ends.
struct LaunchScope {
  dim3 grid = gridDim;
  dim3 block = blockDim;
  uint3 block_idx = blockIdx;
  uint3 thread_idx = threadIdx;
  void* shared = dynamic_shared;
  ~LaunchScope() {
    gridDim = grid;
    blockDim = block;
    blockIdx = block_idx;
    threadIdx = thread_idx;
    dynamic_shared = shared;
  }
};

void run_grid(const detail::LaunchSite& site, detail::ThreadBody body) {
  const Order order = current_order();
  thread_local detail::StackPool stacks(detail::fiber_stack_bytes());
  // Exactly the requested size, so AddressSanitizer sees overruns; refilled
  // with 0xff bytes (a float/double NaN) before each block because CUDA shared
  // memory starts undefined, and a kernel reading it unwritten should not get zeros.
  std::unique_ptr<unsigned char[]> shared(site.shared_bytes ? new unsigned char[site.shared_bytes] : nullptr);
  LaunchScope scope;
  gridDim = site.grid;
  blockDim = site.block;
  dynamic_shared = shared.get();
  detail::BlockScheduler scheduler(site, body, order, stacks);
  const unsigned long long blocks = static_cast<unsigned long long>(site.grid.x) * site.grid.y * site.grid.z;
  for (const unsigned long long b : block_order(blocks, order)) {
    if (shared) std::memset(shared.get(), 0xff, site.shared_bytes);
    blockIdx = block_coords(b, site.grid);
    // Mixing the block index into the seed keeps each block's thread order
    // independent of which blocks ran before it.
    std::uint64_t seed = order.seed ^ (b * 0xd1b54a32d192ed03ull);
    scheduler.run(blockIdx, detail::next_random(seed));
  }
}

}  // namespace

void set_error_mode(ErrorMode m) { mode.store(m); }
ErrorMode error_mode() { return mode.load(); }
const std::string& last_kernel_error_message() { return last_message; }

void* dynamic_shared_memory() { return dynamic_shared; }

namespace detail {

cudaError_t launch(const LaunchSite& site, ThreadBody body) {
  if (BlockScheduler::in_kernel()) {
    throw KernelError(detail::concat("simt: ", site.kernel_name, " launched from device code at ", site.file, ":",
                                     std::to_string(site.line), " (dynamic parallelism is not emulated)"));
  }
  if (const cudaError_t e = validate(site); e != cudaSuccess) return record_error(e);
  try {
    run_grid(site, body);
    return cudaSuccess;
  } catch (const KernelError& e) {
    record_error(e.code());
    if (error_mode() == ErrorMode::Throw) throw;
    last_message = e.what();
    std::fprintf(stderr, "%s\n", e.what());
    return e.code();
  } catch (...) {
    record_error(cudaErrorLaunchFailure);
    throw;
  }
}

}  // namespace detail

}  // namespace simt
