// The EfficientNet-Lite0 workloads of shared/BENCHMARKS.md (ImageNet, 224 x
// 224 RGB, batch 8), on the fast CPU kernels and on the reference kernels
// (argument 1 = reference):
//   effnet_infer     forward, eval mode, no graph
//   effnet_pgd_step  forward + input gradient + sign step + projection to the
//                    L-inf ball of 1/255 and to [0, 1]
// Figures: images/s. The weights are the pretrained ones when
// scripts/fetch-pretrained.sh has fetched them, else a random initialisation
// (the same arithmetic). The PyTorch side of the same two workloads:
// bench/torch_efficientnet_lite0.py --bench N --json (bench/README.md).
#include <benchmark/benchmark.h>

#include <filesystem>

#include "advgrad/advgrad.h"

namespace {

using namespace advgrad;

constexpr std::int64_t kBatch = 8;
constexpr double kEps = 1.0 / 255;

struct Workload {
  nn::ModulePtr model = [] {
    nn::ModulePtr m = nn::build_model(nn::imagenet_config("efficientnet-lite0"));
    const std::string weights = nn::pretrained_path("efficientnet-lite0");
    if (std::filesystem::exists(weights)) nn::load_pretrained(*m, weights);
    m->eval();
    return m;
  }();
  Generator gen{0};
  Tensor x = rand({kBatch, 3, 224, 224}, gen);
  Tensor y = randint(0, 1000, {kBatch}, gen);
};

Workload& workload() {
  static Workload w;  // built once: loading the network is not what is timed
  return w;
}

void run(benchmark::State& state, const std::function<void(Workload&)>& iteration) {
  ReferenceKernelsGuard ref(state.range(0) == 1);
  Workload& w = workload();
  iteration(w);  // warm-up
  for (auto _ : state) iteration(w);
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.SetLabel(state.range(0) == 1 ? "reference" : "fast");
}

void BM_effnet_infer(benchmark::State& state) {
  run(state, [](Workload& w) {
    NoGradGuard no_grad;
    benchmark::DoNotOptimize((*w.model)(w.x).raw_data());
  });
}

void BM_effnet_pgd_step(benchmark::State& state) {
  run(state, [](Workload& w) {
    Tensor xr = w.x.detach().requires_grad_(true);
    const Tensor g = autograd::grad({cross_entropy((*w.model)(xr), w.y)}, {xr})[0];  // input gradient only
    NoGradGuard no_grad;
    const Tensor stepped = xr.detach() + sign(g) * (kEps / 4);
    benchmark::DoNotOptimize(clamp(clamp(stepped, w.x - kEps, w.x + kEps), 0.0, 1.0).raw_data());
  });
}

// The reference path is slow (plain loops over a 224 px network): a few iterations for the ratio.
BENCHMARK(BM_effnet_infer)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_effnet_infer)->Arg(1)->Iterations(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_effnet_pgd_step)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_effnet_pgd_step)->Arg(1)->Iterations(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
