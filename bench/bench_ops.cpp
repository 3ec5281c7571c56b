// The op registry's timing mode (tests/ops/op_registry.h): one benchmark per
// case and CPU path, registered at run time,
//   ops/<case>/0  the fast kernels      (label "fast")
//   ops/<case>/1  the reference kernels (label "reference")
// each timing the forward pass and the first-order gradients of every
// differentiable input (one outputs_and_gradients() call), on float32
// contiguous inputs of the case's own shapes. Those are test shapes (odd and
// small), so the figures show per-op overhead and which paths are slow, not
// throughput; bench_conv, bench_gemm and bench_nn time the real workloads.
// items_per_second counts output elements. bench/ratios.py pairs the rows:
//   bench_ops --benchmark_filter='ops/conv2d' --benchmark_format=json > ops.json
//   bench/ratios.py ops.json
#include <benchmark/benchmark.h>

#include <string>

#include "ops/op_registry.h"

namespace {

using namespace advgrad;
using namespace advgrad::testing;

void time_case(benchmark::State& state, const OpSpec& spec, bool reference) {
  ReferenceKernelsGuard guard(reference);
  const std::vector<Tensor> inputs = make_inputs(spec, DType::Float32);
  const Tensor out = spec.fn(inputs);
  const Tensor weight = loss_weight(out);  // drawn once, outside the timed loop
  for (auto _ : state) {
    std::vector<Tensor> results = outputs_and_gradients(spec.fn, inputs, weight);
    benchmark::DoNotOptimize(results.front().raw_data());
  }
  state.SetItemsProcessed(state.iterations() * out.numel());
  state.SetLabel(reference ? "reference" : "fast");
}

}  // namespace

int main(int argc, char** argv) {
  for (const OpRun& run : op_runs(Mode::Timing)) {
    for (bool reference : {false, true}) {
      const std::string name = "ops/" + run.name + (reference ? "/1" : "/0");
      const OpSpec* spec = run.spec;
      benchmark::RegisterBenchmark(name.c_str(), [spec, reference](benchmark::State& state) {
        time_case(state, *spec, reference);
      })->Unit(benchmark::kMicrosecond);
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
