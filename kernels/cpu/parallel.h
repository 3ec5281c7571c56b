#pragma once
// One process-wide thread pool for the CPU kernels.
//
// parallel_for splits [begin, end) into at most num_threads() contiguous chunks
// of at least `grain` iterations; chunk boundaries depend only on the range,
// the grain and the thread count, never on timing, so every kernel that writes
// disjoint outputs per chunk gives the same bits run after run. A parallel_for
// issued from inside a worker runs inline (no nested parallelism).
//
// The thread count comes from set_num_threads(), else ADVGRAD_NUM_THREADS, else
// std::thread::hardware_concurrency().
#include <cstdint>
#include <functional>

namespace advgrad::kernels::cpu {

void set_num_threads(int n);  // n >= 1
int get_num_threads();

void parallel_for(std::int64_t begin, std::int64_t end, std::int64_t grain,
                  const std::function<void(std::int64_t, std::int64_t)>& body);

}  // namespace advgrad::kernels::cpu
