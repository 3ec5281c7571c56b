// The canonical SmallCNN workloads of shared/BENCHMARKS.md, on the fast CPU
// kernels and on the reference kernels (argument 1 = reference):
//   infer       forward, eval mode, no graph
//   train_step  forward, mean cross-entropy, backward, SGD momentum 0.9 step
//   fgsm        forward, input gradient only, x + 0.1 sign(g), clip to [0, 1]
//   pgd10       10 x (forward, input gradient, step 0.01 sign, project to eps 0.1, clip)
//   pgd7_at_step  one step of PGD-7 adversarial training: 7 x (eval mode, input
//               gradient, step 0.025 sign, project to eps 0.1, clip), then a
//               train_step on the adversarial batch alone
// Figures: images/s (items_per_second). Batch 128, inputs uniform in [0, 1].
#include <benchmark/benchmark.h>

#include "advgrad/advgrad.h"

namespace {

using namespace advgrad;

constexpr std::int64_t kBatch = 128;

struct Workload {
  nn::ModulePtr model = nn::build_model(nn::ModelConfig{});
  Generator gen{0};
  Tensor x = rand({kBatch, 1, 28, 28}, gen);
  Tensor y = randint(0, 10, {kBatch}, gen);
};

Tensor input_gradient(nn::Module& m, const Tensor& x, const Tensor& y) {
  Tensor xr = x.detach().requires_grad_(true);
  return autograd::grad({cross_entropy(m(xr), y)}, {xr})[0];
}

void run(benchmark::State& state, const std::function<void(Workload&)>& iteration) {
  ReferenceKernelsGuard ref(state.range(0) == 1);
  Workload w;
  iteration(w);  // warm-up
  for (auto _ : state) iteration(w);
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.SetLabel(state.range(0) == 1 ? "reference" : "fast");
}

void BM_infer(benchmark::State& state) {
  run(state, [](Workload& w) {
    NoGradGuard no_grad;
    w.model->eval();
    benchmark::DoNotOptimize((*w.model)(w.x).raw_data());
  });
}

void BM_train_step(benchmark::State& state) {
  std::unique_ptr<nn::Optimizer> opt;
  run(state, [&opt](Workload& w) {
    if (!opt) opt = nn::make_optimizer("sgd-momentum", w.model->parameters(), 0.01);
    w.model->train();
    opt->zero_grad();
    cross_entropy((*w.model)(w.x), w.y).backward();
    opt->step();
  });
}

void BM_fgsm(benchmark::State& state) {
  run(state, [](Workload& w) {
    w.model->eval();
    Tensor g = input_gradient(*w.model, w.x, w.y);
    NoGradGuard no_grad;
    benchmark::DoNotOptimize(clamp(w.x + sign(g) * 0.1, 0.0, 1.0).raw_data());
  });
}

// L-inf PGD from the clean batch (no random start), eps 0.1, input gradient only.
Tensor pgd(Workload& w, int steps, double step_size) {
  w.model->eval();
  Tensor adv = w.x;
  for (int step = 0; step < steps; ++step) {
    Tensor g = input_gradient(*w.model, adv, w.y);
    NoGradGuard no_grad;
    adv = clamp(clamp(adv + sign(g) * step_size, w.x - 0.1, w.x + 0.1), 0.0, 1.0);
  }
  return adv;
}

void BM_pgd10(benchmark::State& state) {
  run(state, [](Workload& w) { benchmark::DoNotOptimize(pgd(w, 10, 0.01).raw_data()); });
}

void BM_pgd7_at_step(benchmark::State& state) {
  std::unique_ptr<nn::Optimizer> opt;
  run(state, [&opt](Workload& w) {
    if (!opt) opt = nn::make_optimizer("sgd-momentum", w.model->parameters(), 0.01);
    const Tensor adv = pgd(w, 7, 0.025);
    w.model->train();
    opt->zero_grad();
    cross_entropy((*w.model)(adv), w.y).backward();
    opt->step();
  });
}

// What input-only backward saves: the same FGSM gradient, but asking autograd
// for the weight gradients too (what loss.backward() on a model with trainable
// parameters computes). fgsm / fgsm_full_backward is the speedup.
void BM_fgsm_full_backward(benchmark::State& state) {
  run(state, [](Workload& w) {
    w.model->eval();
    Tensor xr = w.x.detach().requires_grad_(true);
    std::vector<Tensor> inputs{xr};
    for (const Tensor& p : w.model->parameters()) inputs.push_back(p);
    Tensor g = autograd::grad({cross_entropy((*w.model)(xr), w.y)}, inputs)[0];
    NoGradGuard no_grad;
    benchmark::DoNotOptimize(clamp(w.x + sign(g) * 0.1, 0.0, 1.0).raw_data());
  });
}

// The library's attacks (argument checks, eval-mode guard, projection and
// per-example success bookkeeping on top of the loops above).
void BM_attacks_fgsm(benchmark::State& state) {
  run(state, [](Workload& w) { benchmark::DoNotOptimize(attacks::fgsm(*w.model, w.x, w.y, 0.1).x_adv.raw_data()); });
}

void BM_attacks_pgd10(benchmark::State& state) {
  run(state, [](Workload& w) {
    attacks::AttackOptions o;
    o.eps = 0.1;
    o.step_size = 0.01;
    o.steps = 10;
    benchmark::DoNotOptimize(attacks::pgd(*w.model, w.x, w.y, o, w.gen).x_adv.raw_data());
  });
}

// Fast path: arg 0; the reference path is slow, so it runs once for the ratio.
BENCHMARK(BM_infer)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_train_step)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_fgsm)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_pgd10)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_pgd7_at_step)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_fgsm_full_backward)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_attacks_fgsm)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_attacks_pgd10)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
