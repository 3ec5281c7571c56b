#pragma once
// Host-side launchers of the emulator's test kernels (tests/simt/*.cu). Plain
// C++ types only, so the GoogleTest files need no CUDA header; each launcher
// copies its inputs to device memory, launches, and copies the results back.

#include <cstddef>
#include <string>
#include <vector>

namespace simt_tests {

// elementwise.cu: y = scale * max(x, 0) + 1, by a grid-stride loop.
std::vector<float> run_scaled_relu(const std::vector<float>& x, float scale, int grid, int block);
// elementwise.cu: every thread of a 3-D grid of 3-D blocks writes its global
// linear index where that index says; returns the array.
std::vector<int> run_index_probe(unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz);

// sgemm.cu: C = A B (row-major, A m x k, B k x n) with 16x16 shared-memory
// tiles. The sync flags drop the barrier after the tile loads or after the
// tile's multiply-adds, to show the emulator exposes the race.
std::vector<float> run_tiled_sgemm(const std::vector<float>& a, const std::vector<float>& b, int m, int n, int k,
                                   bool sync_after_load = true, bool sync_after_compute = true);

// reduction.cu: sum of x; tree in dynamic shared memory then warp shuffles
// (block: a power of two >= 64), or warp shuffles then shared partials (block:
// a multiple of 32). Two passes: per-block partials, then one block.
float run_tree_sum(const std::vector<float>& x, int grid, int block);
float run_warp_sum(const std::vector<float>& x, int grid, int block);

// maxpool.cu: max pooling over planes of h x w (k x k window, stride s, no
// padding), forward (values and flat argmax within the plane) and backward
// (dx[argmax] += dy with float atomicAdd, since windows overlap when s < k).
struct MaxPoolResult {
  std::vector<float> y;
  std::vector<int> argmax;
  std::vector<float> dx;
};
MaxPoolResult run_max_pool(const std::vector<float>& x, int planes, int h, int w, int k, int s,
                           const std::vector<float>& dy);

// softmax.cu: row-wise softmax, one warp per row.
std::vector<float> run_warp_softmax(const std::vector<float>& x, int rows, int cols);

// histogram.cu: counts of keys in [0, bins) with __ballot_sync + __popc into a
// shared histogram, merged with atomicAdd (bins <= 32).
std::vector<unsigned> run_ballot_histogram(const std::vector<int>& keys, int bins, int grid, int block);

// atomics.cu: every thread of every block hits shared counters.
struct AtomicCounters {
  int count;                         // atomicAdd(int, 1)
  unsigned ucount;                   // atomicAdd(unsigned, 1)
  unsigned long long big;            // atomicAdd(unsigned long long, id)
  float fsum;                        // atomicAdd(float, 0.5)
  double dsum;                       // atomicAdd(double, id)
  int max_id, min_id;                // atomicMax / atomicMin(int)
  float fmax, fmin;                  // advgrad_atomic_max / _min(float)
  int next_ticket;                   // atomicAdd hands out tickets
  int bits_or;                       // atomicOr of 1 << (id % 31)
  unsigned long long exchange_slot;  // atomicExch passes ids along
};
struct AtomicResults {
  AtomicCounters counters;
  std::vector<int> tickets;    // ids in the order atomicAdd handed out tickets
  std::vector<int> owners;     // slot i: the one id whose atomicCAS(-1 -> id) won
  std::vector<int> exchanged;  // how often each id came back from atomicExch
};
AtomicResults run_atomics(int grid, int block, int slots);

// launch_config.cu: launches a kernel that counts its threads; returns the
// launch's cudaGetLastError() code and stores the count.
int launch_counting_kernel(unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                           std::size_t shared_bytes, int* threads_run);

// check_kernels.cu: kernels that each break one rule, for the scheduler checks.
enum class BrokenKernel {
  DivergentBarrier,  // halves of a block at two different __syncthreads
  EarlyExit,         // one thread returns before a __syncthreads
  ShuffleDeadlock,   // half a warp at a full-mask shuffle, the other half at __syncthreads
  ShuffleAfterExit,  // a full-mask shuffle after some lanes returned
  MismatchedBallot,  // halves of a warp at two different __ballot_sync
  MaskWithoutSelf,   // a shuffle whose mask leaves out the calling lane
};
// Launches it on one block of 64 threads; returns the launch's return code
// (the emulator throws simt::KernelError unless in ErrorMode::Return).
int launch_broken_kernel(BrokenKernel which);
// Correct warp code that looks suspicious: partial masks from a ballot, and
// __syncwarp reached from two branches. Returns sum of results per warp.
std::vector<int> run_partial_mask_kernel();
// Writes one int past a 32-int cudaMalloc buffer, or past the dynamic shared
// memory: AddressSanitizer must report it.
void launch_overrun_kernel(bool in_shared);
// __syncthreads_count/_and/_or of threadIdx.x % 3 == 0, then _or of 0.
std::vector<int> run_barrier_votes_kernel(int block);
// The path of check_kernels.cu as its compiler saw it (diagnostics name it).
std::string check_kernels_file();

// cost.cu: kernels for docs/simt.md's measurements.
void run_empty_kernel(int grid, int block);
void run_barrier_loop(int grid, int block, int barriers);
void run_shuffle_loop(int grid, int block, int shuffles);

}  // namespace simt_tests
