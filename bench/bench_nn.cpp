// Softmax, losses, batch norm, dropout and indexing on the fast CPU kernels and
// on the reference kernels (argument 1 = reference). Figures: elements/s of the
// op's main tensor (items_per_second). float32.
//   softmax_last        softmax over the last dim of [256, 1000]
//   log_softmax_chan    log_softmax over the channels of [32, 64, 16, 16] (tiled path)
//   softmax_fwd_bwd     softmax [256, 1000] forward + input gradient
//   ce_fwd_bwd          cross_entropy(mean, smoothing 0.1) forward + logits gradient, [128, 10] and [256, 1000]
//   bn_train_fwd_bwd    batch_norm training forward + backward (x, w, b), [128, 32, 14, 14]
//   bn_eval_input_grad  batch_norm eval forward + input gradient only (what an attack asks), same shape
//   index_select_rows   128 random rows of a [60000, 784] table (a data-loader batch)
//   gather_scatter      gather along dim 1 of [512, 1000] with a [512, 16] index, forward + backward
//   activation_fwd_bwd  relu, gelu, silu, softplus, elu (argument 2 = 0..4) forward + input gradient on
//                       [128, 32, 28, 28], small-cnn's first activation; ADVGRAD_CPU_ISA=scalar runs the
//                       scalar loops in place of the AVX2 ones (kernels/cpu/vec_activations.h)
#include <benchmark/benchmark.h>

#include <string>

#include "advgrad/advgrad.h"

namespace {

using namespace advgrad;

void label(benchmark::State& state, std::int64_t items_per_iteration, const std::string& what = "") {
  state.SetItemsProcessed(state.iterations() * items_per_iteration);
  state.SetLabel(what + (state.range(0) == 1 ? "reference" : "fast"));
}

void BM_softmax_last(benchmark::State& state) {
  ReferenceKernelsGuard ref(state.range(0) == 1);
  Generator gen(1);
  Tensor x = randn({256, 1000}, gen);
  for (auto _ : state) benchmark::DoNotOptimize(softmax(x, -1).raw_data());
  label(state, x.numel());
}

void BM_log_softmax_chan(benchmark::State& state) {
  ReferenceKernelsGuard ref(state.range(0) == 1);
  Generator gen(2);
  Tensor x = randn({32, 64, 16, 16}, gen);
  for (auto _ : state) benchmark::DoNotOptimize(log_softmax(x, 1).raw_data());
  label(state, x.numel());
}

void BM_softmax_fwd_bwd(benchmark::State& state) {
  ReferenceKernelsGuard ref(state.range(0) == 1);
  Generator gen(3);
  Tensor x = randn({256, 1000}, gen).requires_grad_(true);
  Tensor w = randn({256, 1000}, gen);
  for (auto _ : state) benchmark::DoNotOptimize(autograd::grad({sum(mul(softmax(x, 1), w))}, {x})[0].raw_data());
  label(state, x.numel());
}

void BM_ce_fwd_bwd(benchmark::State& state) {
  ReferenceKernelsGuard ref(state.range(0) == 1);
  const std::int64_t n = state.range(1), c = state.range(2);
  Generator gen(4);
  Tensor x = randn({n, c}, gen).requires_grad_(true);
  Tensor y = randint(0, c, {n}, gen);
  for (auto _ : state) benchmark::DoNotOptimize(autograd::grad({cross_entropy(x, y, Reduction::Mean, 0.1)}, {x})[0].raw_data());
  label(state, x.numel());
}

void BM_bn_train_fwd_bwd(benchmark::State& state) {
  ReferenceKernelsGuard ref(state.range(0) == 1);
  Generator gen(5);
  Tensor x = randn({128, 32, 14, 14}, gen).requires_grad_(true);
  Tensor w = ones({32}).requires_grad_(true), b = zeros({32}).requires_grad_(true);
  Tensor rm = zeros({32}), rv = ones({32});
  Tensor g = randn({128, 32, 14, 14}, gen);
  for (auto _ : state) {
    Tensor y = batch_norm(x, w, b, rm, rv, true);
    benchmark::DoNotOptimize(autograd::grad({y}, {x, w, b}, {g})[0].raw_data());
  }
  label(state, x.numel());
}

void BM_bn_eval_input_grad(benchmark::State& state) {
  ReferenceKernelsGuard ref(state.range(0) == 1);
  Generator gen(6);
  Tensor x = randn({128, 32, 14, 14}, gen).requires_grad_(true);
  Tensor w = ones({32}).requires_grad_(true), b = zeros({32}).requires_grad_(true);
  Tensor rm = zeros({32}), rv = ones({32});
  Tensor g = randn({128, 32, 14, 14}, gen);
  for (auto _ : state) {
    Tensor y = batch_norm(x, w, b, rm, rv, false);
    benchmark::DoNotOptimize(autograd::grad({y}, {x}, {g})[0].raw_data());
  }
  label(state, x.numel());
}

void BM_index_select_rows(benchmark::State& state) {
  ReferenceKernelsGuard ref(state.range(0) == 1);
  Generator gen(7);
  Tensor table = rand({60000, 784}, gen);
  Tensor rows = randint(0, 60000, {128}, gen);
  for (auto _ : state) benchmark::DoNotOptimize(index_select(table, 0, rows).raw_data());
  label(state, 128 * 784);
}

void BM_gather_scatter(benchmark::State& state) {
  ReferenceKernelsGuard ref(state.range(0) == 1);
  Generator gen(8);
  Tensor x = randn({512, 1000}, gen).requires_grad_(true);
  Tensor idx = randint(0, 1000, {512, 16}, gen);
  for (auto _ : state) benchmark::DoNotOptimize(autograd::grad({sum(gather(x, 1, idx))}, {x})[0].raw_data());
  label(state, 512 * 16);
}

void BM_dropout(benchmark::State& state) {
  ReferenceKernelsGuard ref(state.range(0) == 1);
  Generator gen(9);
  Tensor x = randn({128, 128}, gen);
  for (auto _ : state) benchmark::DoNotOptimize(dropout(x, 0.5, true, gen).raw_data());
  label(state, x.numel());
}

void BM_activation_fwd_bwd(benchmark::State& state) {
  ReferenceKernelsGuard ref(state.range(0) == 1);
  static const char* names[] = {"relu", "gelu", "silu", "softplus", "elu"};
  const auto act = [&](const Tensor& x) {
    switch (state.range(1)) {
      case 0: return relu(x);
      case 1: return gelu(x);
      case 2: return silu(x);
      case 3: return softplus(x);
      default: return elu(x);
    }
  };
  Generator gen(10);
  Tensor x = randn({128, 32, 28, 28}, gen).requires_grad_(true);
  Tensor w = randn({128, 32, 28, 28}, gen);
  for (auto _ : state) benchmark::DoNotOptimize(autograd::grad({sum(mul(act(x), w))}, {x})[0].raw_data());
  label(state, x.numel(), std::string(names[state.range(1)]) + " ");
}

}  // namespace

BENCHMARK(BM_softmax_last)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_log_softmax_chan)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_softmax_fwd_bwd)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ce_fwd_bwd)->Args({0, 128, 10})->Args({1, 128, 10})->Args({0, 256, 1000})->Args({1, 256, 1000})->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_bn_train_fwd_bwd)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_bn_eval_input_grad)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_index_select_rows)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_gather_scatter)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_dropout)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_activation_fwd_bwd)->ArgsProduct({{0, 1}, {0, 1, 2, 3, 4}})->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
