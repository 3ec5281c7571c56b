// The op registry's CUDA mode (tests/ops/): one test per case and CUDA
// variant, Ops/CudaVsReference.Op/<case>[_<variant>], comparing the device
// under test with the CPU reference kernels (cuda_matches_reference in
// cuda_testing.h). A variant this machine cannot run (cuDNN without a GPU) is
// a counted, printed skip.
#include "cuda_testing.h"

namespace advgrad::testing {
namespace {

std::string run_name(const ::testing::TestParamInfo<OpRun>& info) { return info.param.name; }

class CudaVsReference : public ::testing::TestWithParam<OpRun> {};

TEST_P(CudaVsReference, Op) {
  const OpRun& run = GetParam();
  if (run.variant) {
    if (const std::string why = run.variant->unavailable(); !why.empty()) {
      record_skip("Ops/CudaVsReference.Op/" + run.name, why);
      GTEST_SKIP() << run.name << ": " << why;
    }
  }
  EXPECT_TRUE(cuda_matches_reference(*run.spec, run.variant));
}
INSTANTIATE_TEST_SUITE_P(Ops, CudaVsReference, ::testing::ValuesIn(op_runs(Mode::Cuda)), run_name);

// The check can fail: an op that computes something else on the device, and
// one whose device gradient is wrong, are both caught.
TEST(CudaVsReferenceHarness, CatchesAWrongDeviceResult) {
  OpCaseList cases("harness");
  cases.add("off_on_device",
            [](const std::vector<Tensor>& x) { return x[0].device().is_cpu() ? x[0] * 2.0 : x[0] * 2.001; },
            {input({3, 4})});
  cases.add("gradient_off_on_device",
            [](const std::vector<Tensor>& x) {
              // Same values everywhere; on the device the gradient flows through a detached half.
              return x[0].device().is_cpu() ? x[0] * 2.0 : x[0] + x[0].detach();
            },
            {input({3, 4})});
  const std::vector<OpSpec> specs = cases.take();
  EXPECT_FALSE(cuda_matches_reference(specs[0], nullptr));
  EXPECT_FALSE(cuda_matches_reference(specs[1], nullptr));
}

}  // namespace
}  // namespace advgrad::testing
