// Every thread of every block updates the same few global counters with each
// kind of atomic; the results are exact whatever the order of the updates.
#include "kernels/cuda/atomic_float.h"
#include "kernels/cuda/launch.h"
#include "tests/simt/device_buffer.h"
#include "tests/simt/test_kernels.h"

namespace simt_tests {

struct Counters {
  int count;
  unsigned ucount;
  unsigned long long big;
  float fsum;
  double dsum;
  int max_id;
  int min_id;
  float fmax;
  float fmin;
  int next_ticket;
  int bits_or;
  unsigned long long exchange_slot;
};

__global__ void atomics_kernel(Counters* c, int* tickets, int* owners, int slots, int* exchanged) {
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
  Counters init{};
  init.min_id = 1 << 30;
  init.fmax = -1.0f;
  init.fmin = 1.0f;
  init.exchange_slot = ~0ull;
  DeviceBuffer<Counters> dc(std::vector<Counters>{init});
  DeviceBuffer<int> tickets(std::vector<int>(threads, -1));
  DeviceBuffer<int> owners(std::vector<int>(slots, -1));
  DeviceBuffer<int> exchanged(std::vector<int>(threads, 0));
  ADVGRAD_LAUNCH(atomics_kernel, grid, block, 0, 0)(dc.get(), tickets.get(), owners.get(), slots, exchanged.get());
  check_launch("atomics_kernel");
  const Counters c = dc.download()[0];
  AtomicResults r;
  r.count = c.count;
  r.ucount = c.ucount;
  r.big = c.big;
  r.fsum = c.fsum;
  r.dsum = c.dsum;
  r.max_id = c.max_id;
  r.min_id = c.min_id;
  r.fmax = c.fmax;
  r.fmin = c.fmin;
  r.bits_or = c.bits_or;
  r.tickets = tickets.download();
  r.owners = owners.download();
  r.exchanged = exchanged.download();
  if (c.exchange_slot != ~0ull) r.exchanged[c.exchange_slot] += 1;
  return r;
}

}  // namespace simt_tests
