// CPU reference vs fast CPU vs our CUDA kernels (vs cuBLAS for GEMM), per
// kernel and for the SmallCNN workloads of shared/BENCHMARKS.md.
//
// Rows are BM_<workload>/<path>, path one of
//   cpu-reference, cpu, cuda (implicit-GEMM conv, cuBLAS GEMM),
//   cuda-direct (the direct conv kernels), cuda-tiled (our SGEMM kernel),
//   cuda-cudnn (cuDNN's convolutions: the yardstick; conv workloads only).
// CUDA rows are timed with CUDA events (advgrad::cuda::time_ms) after a
// warm-up iteration; use --benchmark_repetitions and read the medians.
//
// Without a GPU the CUDA rows are skipped with "no device" — never a number;
// cuda-cudnn rows are skipped with "no cuDNN" where cuda::cudnn_available() is false.
// ADVGRAD_BENCH_EMULATED=1 runs them on the emulated device instead, for
// correctness only: their label says "emulated" and their times mean nothing
// about a GPU. bench/cuda_ratios.py prints the ratio table from --benchmark_out JSON.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <string>

#include "advgrad/advgrad.h"
#if defined(ADVGRAD_BENCH_HAS_EMULATOR)
#include "advgrad/core/backend/cuda/emulated.h"
#endif

namespace {

using namespace advgrad;

enum Path : int { kReference = 0, kCpu = 1, kCuda = 2, kCudaDirect = 3, kCudaTiled = 4, kCudaCudnn = 5 };
const char* path_name(int p) {
  switch (p) {
    case kReference: return "cpu-reference";
    case kCpu: return "cpu";
    case kCuda: return "cuda";
    case kCudaDirect: return "cuda-direct";
    case kCudaCudnn: return "cuda-cudnn";
    default: return "cuda-tiled";
  }
}

// "" when CUDA rows can run; otherwise why not.
std::string cuda_unavailable() {
  static const std::string why = [] {
    if (cuda::is_available()) return std::string();
#if defined(ADVGRAD_BENCH_HAS_EMULATOR)
    const char* env = std::getenv("ADVGRAD_BENCH_EMULATED");
    if (env != nullptr && std::string(env) == "1") {
      cuda::use_emulated_device();
      return std::string();
    }
#endif
    return std::string("no device");
  }();
  return why;
}
bool emulated() { return cuda::describe().rfind("emulated", 0) == 0; }

// Runs `iteration` under the path's kernels and times it: host wall time on
// the CPU, CUDA events on a device. `setup` builds the inputs on `device`.
template <typename State>
void run(benchmark::State& state, std::int64_t items, const std::function<State(Device)>& setup,
         const std::function<void(State&)>& iteration) {
  const int path = static_cast<int>(state.range(0));
  const bool on_cuda = path >= kCuda;
  if (on_cuda && !cuda_unavailable().empty()) {
    state.SkipWithError(cuda_unavailable().c_str());
    return;
  }
  if (path == kCudaCudnn && !cuda::cudnn_available()) {
    state.SkipWithError("no cuDNN");
    return;
  }
  const Device device = on_cuda ? Device::cuda() : Device::cpu();
  ReferenceKernelsGuard reference(path == kReference);
  const auto conv_before = cuda::conv_algorithm();
  const auto gemm_before = cuda::gemm_algorithm();
  if (path == kCudaDirect) cuda::set_conv_algorithm(cuda::ConvAlgorithm::Direct);
  if (path == kCudaTiled) cuda::set_gemm_algorithm(cuda::GemmAlgorithm::Tiled);
  if (path == kCudaCudnn) cuda::set_conv_algorithm(cuda::ConvAlgorithm::Cudnn);
  State s = setup(device);
  iteration(s);  // warm-up: the allocator's cache fills, cuBLAS initialises, cuDNN finds its algorithms
  for (auto _ : state) {
    if (on_cuda) {
      state.SetIterationTime(cuda::time_ms([&] { iteration(s); }) / 1e3);
    } else {
      const auto t0 = std::chrono::steady_clock::now();
      iteration(s);
      state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
  }
  cuda::set_conv_algorithm(conv_before);
  cuda::set_gemm_algorithm(gemm_before);
  state.SetItemsProcessed(state.iterations() * items);
  state.SetLabel(std::string(path_name(path)) + (on_cuda && emulated() ? " (emulated)" : ""));
}

// ---- kernels ----
struct ConvState {
  Tensor x, w, gy;
};
ConvState conv2_inputs(Device d) {
  Generator gen(1);
  // shared/BENCHMARKS.md conv2_fwd: 128x32x14x14 input, 64x32x3x3 weight, pad 1.
  return {rand({128, 32, 14, 14}, gen).to(d), (rand({64, 32, 3, 3}, gen) * 0.1).to(d),
          rand({128, 64, 14, 14}, gen).to(d)};
}
const Conv2dOptions kPad1{1, 1, 1, 1};
constexpr double kConv2Flop = 2.0 * 128 * 64 * 14 * 14 * 32 * 9;

void set_gflops(benchmark::State& state, double flop_per_iteration) {
  state.counters["GFLOPS"] = benchmark::Counter(flop_per_iteration * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_conv2_fwd(benchmark::State& state) {
  run<ConvState>(state, 128, conv2_inputs, [](ConvState& s) {
    NoGradGuard no_grad;
    benchmark::DoNotOptimize(conv2d(s.x, s.w, Tensor(), kPad1).raw_data());
  });
  set_gflops(state, kConv2Flop);
}

// Backward input and weight through autograd: the gradient of <conv(x, w), gy>.
void BM_conv2_bwd(benchmark::State& state) {
  run<ConvState>(state, 128, conv2_inputs, [](ConvState& s) {
    Tensor x = s.x.detach().requires_grad_(true), w = s.w.detach().requires_grad_(true);
    auto g = autograd::grad({sum(mul(conv2d(x, w, Tensor(), kPad1), s.gy))}, {x, w});
    benchmark::DoNotOptimize(g[0].raw_data());
  });
  set_gflops(state, 3 * kConv2Flop);  // forward + backward-input + backward-weight
}

struct GemmState {
  Tensor a, b;
};
void BM_gemm(benchmark::State& state) {
  const std::int64_t n = state.range(1);
  run<GemmState>(
      state, 1,
      [n](Device d) {
        Generator gen(2);
        return GemmState{rand({n, n}, gen).to(d), rand({n, n}, gen).to(d)};
      },
      [](GemmState& s) {
        NoGradGuard no_grad;
        benchmark::DoNotOptimize(matmul(s.a, s.b).raw_data());
      });
  set_gflops(state, 2.0 * double(n) * double(n) * double(n));
}

struct PoolState {
  Tensor x;
};
void BM_maxpool_relu(benchmark::State& state) {
  run<PoolState>(
      state, 128, [](Device d) { Generator gen(3); return PoolState{rand({128, 32, 28, 28}, gen).to(d)}; },
      [](PoolState& s) {
        NoGradGuard no_grad;
        benchmark::DoNotOptimize(max_pool2d(relu(s.x), Pool2dOptions{}).raw_data());
      });
}

// ---- SmallCNN (shared/BENCHMARKS.md) ----
struct Net {
  nn::ModulePtr model;
  Tensor x, y;
  std::unique_ptr<nn::Optimizer> opt;
};
Net smallcnn(Device d) {
  Net n;
  n.model = nn::build_model(nn::ModelConfig{});
  n.model->to(d);
  Generator gen(0);
  n.x = rand({128, 1, 28, 28}, gen).to(d);
  n.y = randint(0, 10, {128}, gen).to(d);
  n.opt = nn::make_optimizer("sgd-momentum", n.model->parameters(), 0.01);
  return n;
}
Tensor input_gradient(nn::Module& m, const Tensor& x, const Tensor& y) {
  Tensor xr = x.detach().requires_grad_(true);
  return autograd::grad({cross_entropy(m(xr), y)}, {xr})[0];
}

void BM_infer(benchmark::State& state) {
  run<Net>(state, 128, smallcnn, [](Net& n) {
    NoGradGuard no_grad;
    n.model->eval();
    benchmark::DoNotOptimize((*n.model)(n.x).raw_data());
  });
}
void BM_train_step(benchmark::State& state) {
  run<Net>(state, 128, smallcnn, [](Net& n) {
    n.model->train();
    n.opt->zero_grad();
    cross_entropy((*n.model)(n.x), n.y).backward();
    n.opt->step();
  });
}
void BM_fgsm(benchmark::State& state) {
  run<Net>(state, 128, smallcnn, [](Net& n) {
    n.model->eval();
    Tensor g = input_gradient(*n.model, n.x, n.y);
    NoGradGuard no_grad;
    benchmark::DoNotOptimize(clamp(n.x + sign(g) * 0.1, 0.0, 1.0).raw_data());
  });
}
void BM_pgd10(benchmark::State& state) {
  run<Net>(state, 128, smallcnn, [](Net& n) {
    n.model->eval();
    Tensor adv = n.x;
    for (int step = 0; step < 10; ++step) {
      Tensor g = input_gradient(*n.model, adv, n.y);
      NoGradGuard no_grad;
      adv = clamp(clamp(adv + sign(g) * 0.01, n.x - 0.1, n.x + 0.1), 0.0, 1.0);
    }
    benchmark::DoNotOptimize(adv.raw_data());
  });
}

// The reference path is slow: it runs once per workload, for the ratio.
void paths(benchmark::internal::Benchmark* b, bool conv, bool gemm) {
  b->Arg(kCpu)->Arg(kCuda);
  if (conv) b->Arg(kCudaDirect)->Arg(kCudaCudnn);
  if (gemm) b->Arg(kCudaTiled);
  b->Arg(kReference);
  b->UseManualTime()->Unit(benchmark::kMillisecond);
}
BENCHMARK(BM_conv2_fwd)->Apply([](auto* b) { paths(b, true, false); });
BENCHMARK(BM_conv2_bwd)->Apply([](auto* b) { paths(b, true, false); });
BENCHMARK(BM_maxpool_relu)->Apply([](auto* b) { paths(b, false, false); });
BENCHMARK(BM_gemm)
    ->ArgsProduct({{kCpu, kCuda, kCudaTiled}, {256, 512, 1024}})
    ->Args({kReference, 256})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_infer)->Apply([](auto* b) { paths(b, true, true); });
BENCHMARK(BM_train_step)->Apply([](auto* b) { paths(b, true, true); });
BENCHMARK(BM_fgsm)->Apply([](auto* b) { paths(b, true, true); });
BENCHMARK(BM_pgd10)->Apply([](auto* b) { paths(b, false, false); });

}  // namespace

BENCHMARK_MAIN();
