// Kernels that each break one rule of the CUDA execution model, so the tests
// can check that the emulator's scheduler names the fault and its line. The
// `CHECK:` comments mark the lines the diagnostics must name; tests find them
// by text, so lines may move. (On a GPU these kernels hang or give undefined
// results: they are for the emulator only, but nvcc compiles them too.)
#include "advgrad/kernels/cuda/launch.h"
#include "simt/device_buffer.h"
#include "simt/test_kernels.h"

namespace simt_tests {

__global__ void divergent_barrier_kernel(int* out) {
  if (threadIdx.x < 16) {
    __syncthreads();  // CHECK:divergent-first
  } else {
    __syncthreads();  // CHECK:divergent-second
  }
  out[threadIdx.x] = 1;
}

__global__ void early_exit_kernel(int* out) {
  if (threadIdx.x == 5) return;
  __syncthreads();  // CHECK:early-exit
  out[threadIdx.x] = 1;
}

__global__ void shuffle_deadlock_kernel(int* out) {
  int v = threadIdx.x;
  if (threadIdx.x % 32 < 16) {
    v = __shfl_down_sync(0xffffffffu, v, 1);  // CHECK:deadlock-shuffle
  }
  __syncthreads();  // CHECK:deadlock-barrier
  out[threadIdx.x] = v;
}

__global__ void shuffle_after_exit_kernel(int* out) {
  if (threadIdx.x % 32 >= 8) return;
  out[threadIdx.x] = __shfl_xor_sync(0xffffffffu, static_cast<int>(threadIdx.x), 1);  // CHECK:exited-shuffle
}

__global__ void mismatched_ballot_kernel(int* out) {
  unsigned votes;
  if (threadIdx.x % 2 == 0) {
    votes = __ballot_sync(0xffffffffu, 1);  // CHECK:ballot-even
  } else {
    votes = __ballot_sync(0xffffffffu, 0);  // CHECK:ballot-odd
  }
  out[threadIdx.x] = static_cast<int>(votes);
}

__global__ void mask_without_self_kernel(int* out) {
  out[threadIdx.x] = __shfl_sync(0x1u, static_cast<int>(threadIdx.x), 0);  // CHECK:mask-without-self
}

// Correct: a ballot-derived partial mask (lanes < 24, whole 8-lane segments) for a shuffle that only
// those lanes make, and __syncwarp reached from both sides of a branch.
__global__ void partial_mask_kernel(int* out) {
  const int lane = threadIdx.x % 32;
  const unsigned mask = __ballot_sync(0xffffffffu, lane < 24);
  int v = lane;
  if (lane < 24) v += __shfl_down_sync(mask, v, 4, 8);
  if (lane % 2 == 0) {
    __syncwarp();
  } else {
    __syncwarp();
  }
  atomicAdd(&out[threadIdx.x / 32], v);
}

// Correct: the barrier's predicate reductions, on a block whose threads vote
// threadIdx.x % 3 == 0.
__global__ void barrier_votes_kernel(int* out) {
  const int vote = threadIdx.x % 3 == 0;
  const int count = __syncthreads_count(vote);
  const int all = __syncthreads_and(vote);
  const int any = __syncthreads_or(vote);
  const int none = __syncthreads_or(0);
  if (threadIdx.x == blockDim.x - 1) {
    out[0] = count;
    out[1] = all;
    out[2] = any;
    out[3] = none;
  }
}

// One element past the end of a cudaMalloc buffer or of the dynamic shared
// memory: for AddressSanitizer, which must name the overflow.
__global__ void overrun_kernel(int* buf, int n, bool in_shared) {
  ADVGRAD_DYNAMIC_SHARED(int, scratch);
  if (threadIdx.x != 0) return;
  if (in_shared) {
    scratch[blockDim.x] = 1;
  } else {
    buf[n] = 1;
  }
}

int launch_broken_kernel(BrokenKernel which) {
  DeviceBuffer<int> out(64);
  switch (which) {
    case BrokenKernel::DivergentBarrier:
      ADVGRAD_LAUNCH(divergent_barrier_kernel, 1, 64, 0, 0)(out.get());
      break;
    case BrokenKernel::EarlyExit:
      ADVGRAD_LAUNCH(early_exit_kernel, 1, 64, 0, 0)(out.get());
      break;
    case BrokenKernel::ShuffleDeadlock:
      ADVGRAD_LAUNCH(shuffle_deadlock_kernel, 1, 64, 0, 0)(out.get());
      break;
    case BrokenKernel::ShuffleAfterExit:
      ADVGRAD_LAUNCH(shuffle_after_exit_kernel, 1, 64, 0, 0)(out.get());
      break;
    case BrokenKernel::MismatchedBallot:
      ADVGRAD_LAUNCH(mismatched_ballot_kernel, 1, 64, 0, 0)(out.get());
      break;
    case BrokenKernel::MaskWithoutSelf:
      ADVGRAD_LAUNCH(mask_without_self_kernel, 1, 64, 0, 0)(out.get());
      break;
  }
  return static_cast<int>(cudaGetLastError());
}

std::vector<int> run_barrier_votes_kernel(int block) {
  DeviceBuffer<int> out(std::vector<int>(4, -1));
  ADVGRAD_LAUNCH(barrier_votes_kernel, 2, block, 0, 0)(out.get());
  check_launch("barrier_votes_kernel");
  return out.download();
}

std::vector<int> run_partial_mask_kernel() {
  DeviceBuffer<int> out(std::vector<int>(2, 0));
  ADVGRAD_LAUNCH(partial_mask_kernel, 1, 64, 0, 0)(out.get());
  check_launch("partial_mask_kernel");
  return out.download();
}

void launch_overrun_kernel(bool in_shared) {
  DeviceBuffer<int> buf(32);
  ADVGRAD_LAUNCH(overrun_kernel, 1, 32, 32 * sizeof(int), 0)(buf.get(), 32, in_shared);
  check_launch("overrun_kernel");
}

std::string check_kernels_file() { return __FILE__; }

}  // namespace simt_tests
