// fp32 GEMM throughput: the fast packed kernel (1 and 2 threads) against the
// reference triple loop, C = A B for square sizes, plus the shapes SmallCNN
// feeds it. Counters report GFLOP/s (2 m n k flops per product), wall time.
//
//   build/h/bench/bench_gemm --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "advgrad/kernels/cpu/gemm.h"
#include "advgrad/kernels/cpu/parallel.h"
#include "advgrad/kernels/reference/gemm.h"

namespace {

using advgrad::kernels::GemmParams;

struct Problem {
  GemmParams p;
  std::vector<float> a, b, c;
};

Problem make_problem(std::int64_t m, std::int64_t n, std::int64_t k, bool trans_b = false) {
  Problem pr;
  pr.p.m = m;
  pr.p.n = n;
  pr.p.k = k;
  pr.p.trans_b = trans_b;
  pr.p.lda = k;
  pr.p.ldb = trans_b ? k : n;
  pr.p.ldc = n;
  pr.a.resize(static_cast<std::size_t>(m * k));
  pr.b.resize(static_cast<std::size_t>(k * n));
  pr.c.resize(static_cast<std::size_t>(m * n));
  std::uint32_t s = 12345;
  auto next = [&s] {
    s = s * 1664525u + 1013904223u;
    return static_cast<float>(s >> 8) / 16777216.0f - 0.5f;
  };
  for (auto& v : pr.a) v = next();
  for (auto& v : pr.b) v = next();
  return pr;
}

void set_flops(benchmark::State& state, const GemmParams& p) {
  state.counters["FLOPS"] = benchmark::Counter(2.0 * static_cast<double>(p.m * p.n * p.k),
                                               benchmark::Counter::kIsIterationInvariantRate);
}

// Args: size, threads.
void BM_GemmFast(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  advgrad::kernels::cpu::set_num_threads(static_cast<int>(state.range(1)));
  Problem pr = make_problem(n, n, n);
  for (auto _ : state) {
    advgrad::kernels::cpu::gemm(pr.p, pr.a.data(), pr.b.data(), pr.c.data());
    benchmark::DoNotOptimize(pr.c.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, pr.p);
}
BENCHMARK(BM_GemmFast)
    ->ArgNames({"n", "threads"})
    ->ArgsProduct({{256, 512, 1024}, {1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// The reference kernel is single-threaded and slow: 256 and 512 only.
void BM_GemmReference(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  Problem pr = make_problem(n, n, n);
  for (auto _ : state) {
    advgrad::kernels::reference::gemm(pr.p, pr.a.data(), pr.b.data(), pr.c.data());
    benchmark::DoNotOptimize(pr.c.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, pr.p);
}
BENCHMARK(BM_GemmReference)->ArgNames({"n"})->Arg(256)->Arg(512)->UseRealTime()->Unit(benchmark::kMillisecond);

// SmallCNN-shaped products (batch 128), fast kernel. Args: m, n, k, trans_b, threads.
//   128 x 128 x 3136, B^T  linear 3136->128 forward (x W^T)
//   64 x 25088 x 288       conv2 forward as im2col GEMM (weights x columns)
//   128 x 3136 x 128       linear 3136->128 input gradient (dY W)
//   25088 x 64 x 288, B^T  tall-skinny (pixels x channels)
void BM_GemmShapes(benchmark::State& state) {
  advgrad::kernels::cpu::set_num_threads(static_cast<int>(state.range(4)));
  Problem pr = make_problem(state.range(0), state.range(1), state.range(2), state.range(3) != 0);
  for (auto _ : state) {
    advgrad::kernels::cpu::gemm(pr.p, pr.a.data(), pr.b.data(), pr.c.data());
    benchmark::DoNotOptimize(pr.c.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, pr.p);
}
BENCHMARK(BM_GemmShapes)
    ->ArgNames({"m", "n", "k", "tb", "threads"})
    ->Args({128, 128, 3136, 1, 2})
    ->Args({64, 25088, 288, 0, 2})
    ->Args({128, 3136, 128, 0, 2})
    ->Args({25088, 64, 288, 1, 2})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
