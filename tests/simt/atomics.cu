// Every thread of every block updates the same few global counters with each
// kind of atomic; the results are exact whatever the order of the updates.
#include "advgrad/kernels/cuda/atomic_float.h"
#include "advgrad/kernels/cuda/launch.h"
#include "simt/device_buffer.h"
#include "simt/test_kernels.h"

namespace simt_tests {

__global__ void atomics_kernel(AtomicCounters* c, int* tickets, int* owners, int slots, int* exchanged) {
  const int id = blockIdx.x * blockDim.x + threadIdx.x;
  atomicAdd(&c->count, 1);
  atomicAdd(&c->ucount, 1u);
  atomicAdd(&c->big, static_cast<unsigned long long>(id));
  atomicAdd(&c->fsum, 0.5f);
  atomicAdd(&c->dsum, static_cast<double>(id));
  atomicMax(&c->max_id, id);
  atomicMin(&c->min_id, id);
  advgrad_atomic_max(&c->fmax, 0.25f * id);
  advgrad_atomic_min(&c->fmin, -0.25f * id);
  tickets[atomicAdd(&c->next_ticket, 1)] = id;
  atomicCAS(&owners[id % slots], -1, id);
  atomicOr(&c->bits_or, 1 << (id % 31));
  // Each id goes in once and comes out once: the last one stays in the slot.
  const unsigned long long previous = atomicExch(&c->exchange_slot, static_cast<unsigned long long>(id));
  if (previous != ~0ull) atomicAdd(&exchanged[previous], 1);
}

AtomicResults run_atomics(int grid, int block, int slots) {
  const int threads = grid * block;
  AtomicCounters init{};
  init.min_id = 1 << 30;
  init.fmax = -1.0f;
  init.fmin = 1.0f;
  init.exchange_slot = ~0ull;
  DeviceBuffer<AtomicCounters> counters(std::vector<AtomicCounters>{init});
  DeviceBuffer<int> tickets(std::vector<int>(threads, -1));
  DeviceBuffer<int> owners(std::vector<int>(slots, -1));
  DeviceBuffer<int> exchanged(std::vector<int>(threads, 0));
  ADVGRAD_LAUNCH(atomics_kernel, grid, block, 0, 0)
  (counters.get(), tickets.get(), owners.get(), slots, exchanged.get());
  check_launch("atomics_kernel");
  AtomicResults r{counters.download()[0], tickets.download(), owners.download(), exchanged.download()};
  if (r.counters.exchange_slot != ~0ull) r.exchanged[r.counters.exchange_slot] += 1;  // the id still in the slot
  return r;
}

}  // namespace simt_tests
