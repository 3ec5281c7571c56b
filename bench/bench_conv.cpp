// Convolution and pooling kernels on the SmallCNN shapes (docs: shared
// BENCHMARKS.md), fast vs reference, 2 threads, float32, raw buffers.
//   conv1: 128x1x28x28  * 32x1x3x3,  pad 1
//   conv2: 128x32x14x14 * 64x32x3x3, pad 1   (the canonical conv2_fwd workload)
//   pool:  max 2x2 on 128x32x28x28
// and the depthwise convolutions of EfficientNet-Lite0 at 224 px (groups ==
// C == O, pad k/2), batch 1 and 8, each pass four ways: "fast" (what
// conv2d runs: the AVX2 plane convolutions), "portable" (the depthwise loops
// that run without AVX2), "gemm" (the general im2col + GEMM path, one group at
// a time) and "reference".
// FLOPs count 2 per multiply-add of the convolution sum (padding taps included,
// as every library reports them). Run with --benchmark_repetitions=3 and read
// the medians. On a busy machine, ADVGRAD_NUM_THREADS=1 and the CPU column give
// the single-core cost.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "advgrad/core/backend/backend.h"
#include "advgrad/kernels/conv_params.h"
#include "advgrad/kernels/cpu/conv.h"
#include "advgrad/kernels/cpu/cpu_features.h"
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

// A depthwise k x k convolution with stride s and pad k/2 on C channels of H x H.
Conv2dParams depthwise_shape(std::int64_t N, std::int64_t C, std::int64_t H, std::int64_t k, std::int64_t s) {
  Conv2dParams p;
  p.N = N;
  p.C = p.O = p.groups = C;
  p.H = p.W = H;
  p.kh = p.kw = k;
  p.stride_h = p.stride_w = s;
  p.pad_h = p.pad_w = k / 2;
  p.OH = p.OW = advgrad::kernels::conv_out_size(H, k, s, k / 2, 1);
  return p;
}

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
// Fast: what conv2d runs. Portable: the same with SIMD capped to scalar (the
// depthwise loops without AVX2). Gemm: the im2col + GEMM path whatever the groups.
enum class Impl { Fast, Portable, Gemm, Reference };

struct ConvFns {
  void (*forward)(const Conv2dParams&, const float*, const float*, const float*, float*);
  void (*backward_input)(const Conv2dParams&, const float*, const float*, float*);
  void (*backward_weight)(const Conv2dParams&, const float*, const float*, float*);
};

ConvFns conv_fns(Impl impl) {
  if (impl == Impl::Reference)
    return {ref::conv2d_forward<float>, ref::conv2d_backward_input<float>, ref::conv2d_backward_weight<float>};
  if (impl == Impl::Gemm)
    return {fast::gemm_conv2d_forward<float>, fast::gemm_conv2d_backward_input<float>,
            fast::gemm_conv2d_backward_weight<float>};
  return {fast::conv2d_forward<float>, fast::conv2d_backward_input<float>, fast::conv2d_backward_weight<float>};
}

template <Pass pass, Impl impl>
void BM_Conv(benchmark::State& state, Conv2dParams p) {
  advgrad::set_num_threads(bench_threads());
  const fast::Isa isa = fast::cpu_isa();
  if (impl == Impl::Portable) fast::set_cpu_isa_limit(fast::Isa::Scalar);
  const auto x = filled(p.N * p.C * p.H * p.W, 1), w = filled(p.O * p.col_rows(), 2), b = filled(p.O, 3);
  const auto gy = filled(p.N * p.O * p.OH * p.OW, 4);
  std::vector<float> y(gy.size()), gx(x.size()), gw(w.size());
  const ConvFns fns = conv_fns(impl);
  for (auto _ : state) {
    if constexpr (pass == Pass::Forward) fns.forward(p, x.data(), w.data(), b.data(), y.data());
    if constexpr (pass == Pass::BackwardInput) fns.backward_input(p, gy.data(), w.data(), gx.data());
    if constexpr (pass == Pass::BackwardWeight) fns.backward_weight(p, x.data(), gy.data(), gw.data());
    benchmark::ClobberMemory();
  }
  fast::set_cpu_isa_limit(isa);
  set_rate(state, conv_flops(p));
}

template <Pass pass>
void (*impl_fn(Impl impl))(benchmark::State&, Conv2dParams) {
  switch (impl) {
    case Impl::Fast:
      return BM_Conv<pass, Impl::Fast>;
    case Impl::Portable:
      return BM_Conv<pass, Impl::Portable>;
    case Impl::Gemm:
      return BM_Conv<pass, Impl::Gemm>;
    case Impl::Reference:
      break;
  }
  return BM_Conv<pass, Impl::Reference>;
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

// EfficientNet-Lite0's depthwise convolutions (224 px; stem 32 channels at
// 112; stages of 16, 24, 40, 80, 112, 192, 320 channels, expansion 6,
// kernels 3 3 5 3 5 5 3, strides 1 2 2 2 1 2 1): stage 1's, the first
// convolutions of stages 2, 3 and 6 (stride 2) and the repeated one of stage 6.
// Named dw_C<channels>_<size>_k<k>_s<stride>_b<batch>_<pass>_<impl>.
void register_depthwise() {
  struct Dw {
    std::int64_t C, H, k, s;
  };
  const Dw shapes[] = {{32, 112, 3, 1}, {96, 112, 3, 2}, {144, 56, 5, 2}, {480, 14, 5, 1}, {1152, 7, 5, 1}};
  const std::pair<const char*, Impl> impls[] = {
      {"fast", Impl::Fast}, {"portable", Impl::Portable}, {"gemm", Impl::Gemm}, {"reference", Impl::Reference}};
  for (std::int64_t N : {1, 8})
    for (const Dw& d : shapes) {
      const std::string n = "dw_C" + std::to_string(d.C) + "_" + std::to_string(d.H) + "_k" + std::to_string(d.k) +
                            "_s" + std::to_string(d.s) + "_b" + std::to_string(N);
      for (const auto& [label, impl] : impls) {
        auto reg = [&](const char* pass, void (*fn)(benchmark::State&, Conv2dParams)) {
          const std::string name = n + "_" + pass + "_" + label;
          benchmark::RegisterBenchmark(name.c_str(), fn, depthwise_shape(N, d.C, d.H, d.k, d.s))
              ->Unit(benchmark::kMicrosecond)
              ->UseRealTime();
        };
        reg("fwd", impl_fn<Pass::Forward>(impl));
        reg("bwd_input", impl_fn<Pass::BackwardInput>(impl));
        reg("bwd_weight", impl_fn<Pass::BackwardWeight>(impl));
      }
    }
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
    reg(n + "_fwd_fast", BM_Conv<Pass::Forward, Impl::Fast>);
    reg(n + "_fwd_reference", BM_Conv<Pass::Forward, Impl::Reference>);
    reg(n + "_bwd_input_fast", BM_Conv<Pass::BackwardInput, Impl::Fast>);
    reg(n + "_bwd_input_reference", BM_Conv<Pass::BackwardInput, Impl::Reference>);
    reg(n + "_bwd_weight_fast", BM_Conv<Pass::BackwardWeight, Impl::Fast>);
    reg(n + "_bwd_weight_reference", BM_Conv<Pass::BackwardWeight, Impl::Reference>);
  }
  register_depthwise();
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
