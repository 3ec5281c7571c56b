// The SIMT emulator runs real CUDA kernels (tests/simt/*.cu) and they agree
// with plain loops, in every thread order; a tiled SGEMM that lacks a
// __syncthreads does not.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "advgrad/kernels/simt/order.h"
#include "simt/random_inputs.h"
#include "simt/test_kernels.h"

namespace {

using simt::Order;
using namespace simt_tests;

std::vector<float> reference_gemm(const std::vector<float>& a, const std::vector<float>& b, int m, int n, int k) {
  std::vector<float> c(static_cast<std::size_t>(m) * n);
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      double acc = 0;
      for (int p = 0; p < k; ++p) acc += static_cast<double>(a[i * k + p]) * b[p * n + j];
      c[i * n + j] = static_cast<float>(acc);
    }
  }
  return c;
}

// max |got - want| / (1 + |want|)
double max_rel_error(const std::vector<float>& got, const std::vector<float>& want) {
  EXPECT_EQ(got.size(), want.size());
  double worst = 0;
  for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    const double e = std::fabs(static_cast<double>(got[i]) - want[i]) / (1.0 + std::fabs(want[i]));
    worst = std::isnan(e) ? INFINITY : std::max(worst, e);
  }
  return worst;
}

class SimtKernels : public ::testing::TestWithParam<Order> {
 protected:
  void SetUp() override { order_.emplace(GetParam()); }
  std::optional<simt::ScopedOrder> order_;
};

TEST_P(SimtKernels, GridStrideElementwise) {
  const std::vector<float> x = random_floats(10007, 1);
  const std::vector<float> y = run_scaled_relu(x, 2.5f, 7, 96);  // 672 threads: ~15 trips each
  std::vector<float> want(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) want[i] = 2.5f * std::max(x[i], 0.0f) + 1.0f;
  EXPECT_EQ(y, want);
}

TEST_P(SimtKernels, ThreeDimensionalIndices) {
  const std::vector<int> ids = run_index_probe(3, 2, 2, 5, 3, 2);
  std::vector<int> want(ids.size());
  std::iota(want.begin(), want.end(), 0);
  EXPECT_EQ(ids, want);
}

TEST_P(SimtKernels, TiledSgemmMatchesLoops) {
  const int m = 37, n = 29, k = 45;  // not multiples of the 16x16 tile
  const std::vector<float> a = random_floats(m * k, 2);
  const std::vector<float> b = random_floats(k * n, 3);
  EXPECT_LT(max_rel_error(run_tiled_sgemm(a, b, m, n, k), reference_gemm(a, b, m, n, k)), 1e-5);
}

TEST_P(SimtKernels, TreeAndWarpShuffleSums) {
  const std::vector<float> x = random_floats(10007, 4);
  const double want = std::accumulate(x.begin(), x.end(), 0.0);
  for (const int block : {64, 128, 1024}) {
    EXPECT_NEAR(run_tree_sum(x, 5, block), want, 1e-3) << "tree, block " << block;
  }
  for (const int block : {32, 96, 256}) {
    EXPECT_NEAR(run_warp_sum(x, 3, block), want, 1e-3) << "warp, block " << block;
  }
}

TEST_P(SimtKernels, MaxPoolForwardBackwardWithAtomicScatter) {
  const int planes = 3, h = 13, w = 11, k = 3, s = 2;  // overlapping windows
  const int oh = (h - k) / s + 1, ow = (w - k) / s + 1;
  const std::vector<float> x = random_floats(planes * h * w, 5);
  const std::vector<float> dy = random_floats(planes * oh * ow, 6);
  const MaxPoolResult r = run_max_pool(x, planes, h, w, k, s, dy);
  std::vector<float> y(dy.size()), dx(x.size(), 0.0f);
  std::vector<int> arg(dy.size());
  for (int p = 0; p < planes; ++p) {
    for (int oy = 0; oy < oh; ++oy) {
      for (int ox = 0; ox < ow; ++ox) {
        int best = oy * s * w + ox * s;
        for (int i = 0; i < k; ++i) {
          for (int j = 0; j < k; ++j) {
            const int at = (oy * s + i) * w + ox * s + j;
            if (x[p * h * w + at] > x[p * h * w + best]) best = at;
          }
        }
        const int o = (p * oh + oy) * ow + ox;
        y[o] = x[p * h * w + best];
        arg[o] = best;
        dx[p * h * w + best] += dy[o];
      }
    }
  }
  EXPECT_EQ(r.y, y);
  EXPECT_EQ(r.argmax, arg);
  EXPECT_LT(max_rel_error(r.dx, dx), 1e-6);  // a different order of float additions
}

TEST_P(SimtKernels, WarpPerRowSoftmax) {
  const int rows = 37, cols = 75;
  const std::vector<float> x = random_floats(rows * cols, 7, -4.0f, 4.0f);
  const std::vector<float> y = run_warp_softmax(x, rows, cols);
  std::vector<float> want(x.size());
  for (int r = 0; r < rows; ++r) {
    const float* in = &x[r * cols];
    const double m = *std::max_element(in, in + cols);
    double sum = 0;
    for (int c = 0; c < cols; ++c) sum += std::exp(in[c] - m);
    for (int c = 0; c < cols; ++c) want[r * cols + c] = static_cast<float>(std::exp(in[c] - m) / sum);
  }
  EXPECT_LT(max_rel_error(y, want), 1e-6);
}

TEST_P(SimtKernels, BallotPopcHistogram) {
  const int bins = 13;
  std::mt19937 gen(8);
  std::vector<int> keys(5003);
  for (int& key : keys) key = static_cast<int>(gen() % bins);
  std::vector<unsigned> want(bins, 0);
  for (const int key : keys) ++want[key];
  EXPECT_EQ(run_ballot_histogram(keys, bins, 4, 128), want);
}

TEST_P(SimtKernels, AtomicsFromManyBlocks) {
  const int grid = 9, block = 96, slots = 50, threads = grid * block;
  const AtomicResults r = run_atomics(grid, block, slots);
  const AtomicCounters& c = r.counters;
  const long long id_sum = static_cast<long long>(threads) * (threads - 1) / 2;
  EXPECT_EQ(c.count, threads);
  EXPECT_EQ(c.ucount, static_cast<unsigned>(threads));
  EXPECT_EQ(c.big, static_cast<unsigned long long>(id_sum));
  EXPECT_EQ(c.fsum, 0.5f * threads);  // exact: halves up to 2^24
  EXPECT_EQ(c.dsum, static_cast<double>(id_sum));
  EXPECT_EQ(c.max_id, threads - 1);
  EXPECT_EQ(c.min_id, 0);
  EXPECT_EQ(c.fmax, 0.25f * (threads - 1));
  EXPECT_EQ(c.fmin, -0.25f * (threads - 1));
  EXPECT_EQ(c.bits_or, 0x7fffffff);  // ids cover every residue mod 31
  std::vector<int> sorted = r.tickets;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int> ids(threads);
  std::iota(ids.begin(), ids.end(), 0);
  EXPECT_EQ(sorted, ids) << "atomicAdd handed out each ticket once";
  for (int slot = 0; slot < slots; ++slot) EXPECT_EQ(r.owners[slot] % slots, slot) << "slot " << slot;
  EXPECT_EQ(r.exchanged, std::vector<int>(threads, 1)) << "atomicExch passed each id on exactly once";
}

TEST_P(SimtKernels, PartialMasksAndSyncwarpFromTwoBranches) {
  int want = 0;
  for (int lane = 0; lane < 32; ++lane) {
    int v = lane;
    if (lane < 24) v += (lane % 8 + 4 < 8) ? lane + 4 : lane;
    want += v;
  }
  EXPECT_EQ(run_partial_mask_kernel(), std::vector<int>(2, want));
}

TEST_P(SimtKernels, BarrierPredicateReductions) {
  EXPECT_EQ(run_barrier_votes_kernel(96), (std::vector<int>{32, 0, 1, 0}));
  EXPECT_EQ(run_barrier_votes_kernel(1), (std::vector<int>{1, 1, 1, 0}));
}

std::string order_name(const ::testing::TestParamInfo<Order>& info) {
  std::string name = simt::to_string(info.param);
  std::replace(name.begin(), name.end(), ':', '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Orders, SimtKernels,
                         ::testing::Values(Order::forward(), Order::reverse(), Order::random(1), Order::random(2)),
                         order_name);

// The safety net: drop either barrier of the tiled SGEMM and the emulator's
// result is wrong (in forward and random orders at least), so a kernel that
// passes its parity tests does synchronise.
TEST(SimtSafetyNet, TiledSgemmMissingSyncthreadsIsWrong) {
  const int m = 37, n = 29, k = 45;
  const std::vector<float> a = random_floats(m * k, 9);
  const std::vector<float> b = random_floats(k * n, 10);
  const std::vector<float> want = reference_gemm(a, b, m, n, k);
  for (const bool drop_load_sync : {true, false}) {
    bool wrong_in_forward_or_random = false;
    for (const Order order : {Order::forward(), Order::random(3), Order::reverse()}) {
      simt::ScopedOrder scoped(order);
      const double error = max_rel_error(run_tiled_sgemm(a, b, m, n, k, !drop_load_sync, drop_load_sync), want);
      const bool wrong = error > 1e-2;
      if (order.kind != Order::Kind::Reverse) wrong_in_forward_or_random = wrong_in_forward_or_random || wrong;
      std::printf("[ simt     ] SGEMM without the barrier after the %s, order %s: max rel. error %.3g\n",
                  drop_load_sync ? "loads" : "multiply-adds", simt::to_string(order).c_str(), error);
    }
    EXPECT_TRUE(wrong_in_forward_or_random) << "missing barrier after the " << (drop_load_sync ? "loads" : "compute");
  }
}

}  // namespace
