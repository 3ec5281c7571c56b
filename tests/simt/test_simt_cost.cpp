// What the emulator costs (docs/simt.md quotes these numbers). Prints timings;
// asserts only that the work was done.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <vector>

#include "simt/random_inputs.h"
#include "simt/test_kernels.h"

namespace {

using namespace simt_tests;

template <class F>
double seconds(F&& f, int repeats = 3) {
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

TEST(SimtCost, PrintsPerThreadBarrierShuffleAndSgemmCosts) {
  const int grid = 16, block = 256, threads = grid * block, waits = 100;
  const double launch = seconds([&] { run_empty_kernel(grid, block); });
  const double barriers = seconds([&] { run_barrier_loop(grid, block, waits); });
  const double shuffles = seconds([&] { run_shuffle_loop(grid, block, waits); });
  std::printf("[ simt     ] per thread launched: %.1f ns\n", 1e9 * launch / threads);
  std::printf("[ simt     ] per thread per __syncthreads: %.1f ns\n", 1e9 * (barriers - launch) / threads / waits);
  std::printf("[ simt     ] per lane per shuffle: %.1f ns\n", 1e9 * (shuffles - launch) / threads / waits);
  for (const int n : {128, 256}) {
    const std::vector<float> a = random_floats(n * n, 1);
    const std::vector<float> b = random_floats(n * n, 2);
    std::vector<float> c;
    const double t = seconds([&] { c = run_tiled_sgemm(a, b, n, n, n); }, 1);
    std::printf("[ simt     ] tiled SGEMM %d^3 (16x16 tiles): %.1f ms\n", n, 1e3 * t);
    ASSERT_EQ(c.size(), a.size());
  }
}

}  // namespace
