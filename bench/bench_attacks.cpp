// What APGD's bookkeeping costs (issue 16): APGD-CE with 100 iterations
// against PGD with 100 fixed steps, on the same SmallCNN and batch, fast CPU
// kernels. Both spend one forward and one input-gradient backward per
// iteration; APGD adds the momentum step, the per-example best-loss and
// best-point tracking and the checkpoint tests (attacks/apgd.cpp), so the
// ratio of the two images/s figures is the price of the step-size schedule.
//   apgd_ce_100   attacks::apgd, CE loss, 100 iterations, eps 0.1, 1 restart
//   pgd_100       attacks::pgd, 100 steps of 0.01 sign, eps 0.1, random start
//   square_250    attacks::square_attack, 250 queries (gradient-free: one
//                 forward per query), for scale
// Figures: images/s (items_per_second). Batch 128, Fashion-MNIST-sized inputs
// uniform in [0, 1]; the labels are the untrained model's own predictions, so
// every example starts correctly classified. APGD and PGD run every iteration
// on every example; Square stops querying an example once it is misclassified.
#include <benchmark/benchmark.h>

#include "advgrad/advgrad.h"

namespace {

using namespace advgrad;

constexpr std::int64_t kBatch = 128;

void run(benchmark::State& state, const attacks::AttackOptions& options) {
  nn::ModulePtr model = nn::build_model(nn::ModelConfig{});
  Generator data_gen{0};
  Tensor x = rand({kBatch, 1, 28, 28}, data_gen);
  Tensor y;
  {
    NoGradGuard no_grad;
    model->eval();
    y = argmax((*model)(x), 1);
  }
  Generator gen{1};
  benchmark::DoNotOptimize(attacks::run_attack(*model, x, y, options, gen).x_adv.raw_data());  // warm-up
  for (auto _ : state) benchmark::DoNotOptimize(attacks::run_attack(*model, x, y, options, gen).x_adv.raw_data());
  state.SetItemsProcessed(state.iterations() * kBatch);
}

// The workloads' common options: eps 0.1 (L-inf) and the algorithm.
attacks::AttackOptions options(attacks::AttackAlgorithm algorithm) {
  attacks::AttackOptions o;
  o.algorithm = algorithm;
  o.eps = 0.1;
  return o;
}

void BM_apgd_ce_100(benchmark::State& state) {
  attacks::AttackOptions o = options(attacks::AttackAlgorithm::Apgd);
  o.steps = 100;
  run(state, o);
}

void BM_pgd_100(benchmark::State& state) {
  attacks::AttackOptions o = options(attacks::AttackAlgorithm::Pgd);
  o.steps = 100;
  o.step_size = 0.01;
  o.random_start = true;
  run(state, o);
}

void BM_square_250(benchmark::State& state) {
  attacks::AttackOptions o = options(attacks::AttackAlgorithm::Square);
  o.queries = 250;
  run(state, o);
}

}  // namespace

BENCHMARK(BM_apgd_ce_100)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_pgd_100)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_square_250)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
