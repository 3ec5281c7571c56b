// The op registry's CPU modes (tests/ops/): one test per case and mode,
//   Ops/FastVsReference.Op/<case>  fast vs reference kernels, float32
//   Ops/Gradcheck.Op/<case>        first derivatives against finite differences, float64
//   Ops/Gradgradcheck.Op/<case>    second derivatives (Hessian-vector products), float64
// The CUDA mode is tests/cuda/test_ops_cuda.cpp; the timing mode bench/bench_ops.cpp.
#include <map>
#include <stdexcept>

#include "testing.h"

namespace advgrad::testing {
namespace {

std::string run_name(const ::testing::TestParamInfo<OpRun>& info) { return info.param.name; }

class FastVsReference : public ::testing::TestWithParam<OpRun> {};
TEST_P(FastVsReference, Op) { EXPECT_TRUE(fast_matches_reference(*GetParam().spec)); }
INSTANTIATE_TEST_SUITE_P(Ops, FastVsReference, ::testing::ValuesIn(op_runs(Mode::FastVsReference)), run_name);

class Gradcheck : public ::testing::TestWithParam<OpRun> {};
TEST_P(Gradcheck, Op) {
  const OpSpec& spec = *GetParam().spec;
  EXPECT_TRUE(gradcheck(spec.fn, make_inputs(spec, DType::Float64), 1e-6, spec.grad.rtol, spec.grad.atol));
}
INSTANTIATE_TEST_SUITE_P(Ops, Gradcheck, ::testing::ValuesIn(op_runs(Mode::Gradcheck)), run_name);

class Gradgradcheck : public ::testing::TestWithParam<OpRun> {};
TEST_P(Gradgradcheck, Op) {
  const OpSpec& spec = *GetParam().spec;
  EXPECT_TRUE(gradgradcheck(spec.fn, make_inputs(spec, DType::Float64), 1e-5, 1e-3, 1e-5));
}
INSTANTIATE_TEST_SUITE_P(Ops, Gradgradcheck, ::testing::ValuesIn(op_runs(Mode::Gradgradcheck)), run_name);

// The registry itself: every family declared something, and every case runs
// in the CPU modes it claims.
TEST(OpRegistry, EveryFamilyHasCasesAndEveryCaseItsModes) {
  std::map<std::string, int> per_family;
  for (const OpSpec& s : op_registry()) ++per_family[s.family];
  for (const char* family : {"elementwise", "activations", "reductions", "linalg", "conv", "pooling", "softmax_loss",
                             "batch_norm", "indexing", "views", "dropout"})
    EXPECT_GT(per_family[family], 0) << family;
  EXPECT_EQ(op_runs(Mode::FastVsReference).size(), op_registry().size());
  EXPECT_LE(op_runs(Mode::Gradgradcheck).size(), op_runs(Mode::Gradcheck).size());
  EXPECT_EQ(find_op("conv2d_3x3_pad_1").family, "conv");
  EXPECT_THROW(find_op("no_such_op"), std::out_of_range);
}

}  // namespace
}  // namespace advgrad::testing
