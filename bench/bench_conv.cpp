// Convolution and pooling kernels on the SmallCNN shapes (docs: shared
// BENCHMARKS.md), fast vs reference, 2 threads, float32, raw buffers.
//   conv1: 128x1x28x28  * 32x1x3x3,  pad 1
//   conv2: 128x32x14x14 * 64x32x3x3, pad 1   (the canonical conv2_fwd workload)
//   pool:  max 2x2 on 128x32x28x28
// FLOPs count 2 per multiply-add of the convolution sum (padding taps included,
// as every library reports them). Run with --benchmark_repetitions=3 and read
// the medians. On a busy machine, ADVGRAD_NUM_THREADS=1 and the CPU column give
// the single-core cost.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "advgrad/core/backend/backend.h"
#include "advgrad/kernels/conv_params.h"
#include "advgrad/kernels/cpu/conv.h"
#include "advgrad/kernels/cpu/pool.h"
#include "advgrad/kernels/reference/conv.h"
#include "advgrad/kernels/reference/pool.h"

namespace {

using advgrad::kernels::Conv2dParams;
using advgrad::kernels::Pool2dParams;
namespace ref = advgrad::kernels::reference;
namespace fast = advgrad::kernels::cpu;

// 2 threads (the canonical setting) unless ADVGRAD_NUM_THREADS says otherwise.
int bench_threads() {
  const char* env = std::getenv("ADVGRAD_NUM_THREADS");
  return env && std::atoi(env) > 0 ? std::atoi(env) : 2;
}

Conv2dParams conv_shape(std::int64_t N, std::int64_t C, std::int64_t H, std::int64_t O) {
  Conv2dParams p;
  p.N = N;
  p.C = C;
  p.H = p.W = H;
  p.O = O;
  p.kh = p.kw = 3;
  p.pad_h = p.pad_w = 1;
  p.OH = advgrad::kernels::conv_out_size(p.H, 3, 1, 1, 1);
  p.OW = advgrad::kernels::conv_out_size(p.W, 3, 1, 1, 1);
  return p;
}
Conv2dParams conv1() { return conv_shape(128, 1, 28, 32); }
Conv2dParams conv2() { return conv_shape(128, 32, 14, 64); }

std::vector<float> filled(std::int64_t n, std::uint32_t seed) {
  std::vector<float> v(static_cast<std::size_t>(n));
  std::uint32_t s = seed;
  for (auto& e : v) {
    s = s * 1664525u + 1013904223u;  // LCG: the values only need to be non-trivial
    e = static_cast<float>(s >> 8) / 16777216.0f - 0.5f;
  }
  return v;
}

double conv_flops(const Conv2dParams& p) { return 2.0 * p.N * p.O * p.OH * p.OW * p.col_rows(); }

void set_rate(benchmark::State& state, double flops) {
  state.counters["GFLOP"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

enum class Pass { Forward, BackwardInput, BackwardWeight };

template <Pass pass, bool reference>
void BM_Conv(benchmark::State& state, Conv2dParams p) {
  advgrad::set_num_threads(bench_threads());
  const auto x = filled(p.N * p.C * p.H * p.W, 1), w = filled(p.O * p.col_rows(), 2), b = filled(p.O, 3);
  const auto gy = filled(p.N * p.O * p.OH * p.OW, 4);
  std::vector<float> y(gy.size()), gx(x.size()), gw(w.size());
  for (auto _ : state) {
    if constexpr (pass == Pass::Forward)
      (reference ? ref::conv2d_forward<float> : fast::conv2d_forward<float>)(p, x.data(), w.data(), b.data(),
                                                                             y.data());
    if constexpr (pass == Pass::BackwardInput)
      (reference ? ref::conv2d_backward_input<float> : fast::conv2d_backward_input<float>)(p, gy.data(), w.data(),
                                                                                           gx.data());
    if constexpr (pass == Pass::BackwardWeight)
      (reference ? ref::conv2d_backward_weight<float> : fast::conv2d_backward_weight<float>)(p, x.data(), gy.data(),
                                                                                             gw.data());
    benchmark::ClobberMemory();
  }
  set_rate(state, conv_flops(p));
}

template <bool reference, bool backward>
void BM_MaxPool(benchmark::State& state) {
  advgrad::set_num_threads(bench_threads());
  Pool2dParams p;
  p.N = 128;
  p.C = 32;
  p.H = p.W = 28;
  p.kh = p.kw = p.stride_h = p.stride_w = 2;
  p.OH = p.OW = 14;
  const auto x = filled(p.planes() * p.in_plane(), 5), gy = filled(p.planes() * p.out_plane(), 6);
  std::vector<float> y(gy.size()), gx(x.size());
  std::vector<std::int64_t> idx(gy.size());
  fast::max_pool2d_forward<float>(p, x.data(), y.data(), idx.data());
  for (auto _ : state) {
    if constexpr (backward)
      (reference ? ref::max_pool2d_backward<float> : fast::max_pool2d_backward<float>)(p, gy.data(), idx.data(),
                                                                                       gx.data());
    else
      (reference ? ref::max_pool2d_forward<float> : fast::max_pool2d_forward<float>)(p, x.data(), y.data(),
                                                                                     idx.data());
    benchmark::ClobberMemory();
  }
  // Bytes moved: forward reads x, writes y and indices; backward reads gy and indices, writes gx.
  const double bytes = 4.0 * x.size() + 12.0 * y.size();
  state.counters["GB/s"] = benchmark::Counter(bytes * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void register_all() {
  struct Shape {
    const char* name;
    Conv2dParams p;
  };
  for (const Shape& sh : {Shape{"conv2", conv2()}, Shape{"conv1", conv1()}}) {
    const std::string n = sh.name;
    auto reg = [&](const std::string& name, void (*fn)(benchmark::State&, Conv2dParams)) {
      benchmark::RegisterBenchmark(name.c_str(), fn, sh.p)->Unit(benchmark::kMillisecond)->UseRealTime();
    };
    reg(n + "_fwd_fast", BM_Conv<Pass::Forward, false>);
    reg(n + "_fwd_reference", BM_Conv<Pass::Forward, true>);
    reg(n + "_bwd_input_fast", BM_Conv<Pass::BackwardInput, false>);
    reg(n + "_bwd_input_reference", BM_Conv<Pass::BackwardInput, true>);
    reg(n + "_bwd_weight_fast", BM_Conv<Pass::BackwardWeight, false>);
    reg(n + "_bwd_weight_reference", BM_Conv<Pass::BackwardWeight, true>);
  }
  auto pool = [](const char* name, void (*fn)(benchmark::State&)) {
    benchmark::RegisterBenchmark(name, fn)->Unit(benchmark::kMillisecond)->UseRealTime();
  };
  pool("maxpool2x2_fwd_fast", BM_MaxPool<false, false>);
  pool("maxpool2x2_fwd_reference", BM_MaxPool<true, false>);
  pool("maxpool2x2_bwd_fast", BM_MaxPool<false, true>);
  pool("maxpool2x2_bwd_reference", BM_MaxPool<true, true>);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
