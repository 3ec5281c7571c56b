// Each scheduler check fires on a kernel crafted to break its rule
// (tests/simt/check_kernels.cu) and names the right source lines, in every
// thread order.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "advgrad/kernels/simt/kernel_error.h"
#include "advgrad/kernels/simt/order.h"
#include "advgrad/kernels/simt/runtime.h"
#include "advgrad/kernels/simt/sync.h"
#include "simt/test_kernels.h"

namespace {

using simt::Order;
using simt_tests::BrokenKernel;

// "path/check_kernels.cu:LINE" of the first line of the file containing `marker`,
// spelled as the kernel's __FILE__ (which may be relative, e.g. under ccache's
// base_dir); the file itself is read from the source tree.
std::string at(const std::string& marker) {
  const std::string file = simt_tests::check_kernels_file();
  std::ifstream in(std::string(ADVGRAD_SIMT_TEST_DIR) + "/check_kernels.cu");
  std::string text;
  for (int line = 1; std::getline(in, text); ++line) {
    if (text.find("CHECK:" + marker) != std::string::npos) return file + ":" + std::to_string(line);
  }
  ADD_FAILURE() << "no line marked CHECK:" << marker << " in " << file;
  return "?";
}

// The launch's KernelError message (empty and a test failure if none came).
std::string fault_of(BrokenKernel which) {
  std::string message;
  try {
    simt_tests::launch_broken_kernel(which);
    ADD_FAILURE() << "the broken kernel ran without a diagnostic";
  } catch (const simt::KernelError& e) {
    message = e.what();
  }
  EXPECT_EQ(cudaGetLastError(), cudaErrorLaunchFailure) << "the fault is also the launch's last error";
  return message;
}

// In every order, the launch of `which` fails with a message containing each of `parts`.
void expect_fault(BrokenKernel which, const std::vector<std::string>& parts) {
  for (const Order& order : {Order::forward(), Order::reverse(), Order::random(5)}) {
    simt::ScopedOrder scoped(order);
    const std::string m = fault_of(which);
    for (const std::string& part : parts) {
      EXPECT_NE(m.find(part), std::string::npos) << "order " << simt::to_string(order) << ": " << m;
    }
  }
}

TEST(SimtChecks, BarrierDivergence) {
  expect_fault(BrokenKernel::DivergentBarrier, {"barrier divergence", at("divergent-first"), at("divergent-second")});
}

TEST(SimtChecks, EarlyExitBeforeBarrier) {
  expect_fault(BrokenKernel::EarlyExit, {"early exit", "thread (5,0,0) returned", at("early-exit")});
}

TEST(SimtChecks, DeadlockBetweenShuffleAndBarrier) {
  expect_fault(BrokenKernel::ShuffleDeadlock, {"deadlock", "__shfl_down_sync at " + at("deadlock-shuffle"),
                                               "__syncthreads at " + at("deadlock-barrier")});
}

TEST(SimtChecks, FullMaskShuffleAfterLanesExited) {
  expect_fault(BrokenKernel::ShuffleAfterExit,
               {"warp divergence", "__shfl_xor_sync at " + at("exited-shuffle"), "has exited"});
}

TEST(SimtChecks, BallotsOnDifferentLines) {
  expect_fault(BrokenKernel::MismatchedBallot, {"warp divergence", at("ballot-even"), at("ballot-odd")});
}

TEST(SimtChecks, MaskWithoutTheCallingLane) {
  expect_fault(BrokenKernel::MaskWithoutSelf,
               {"__shfl_sync at " + at("mask-without-self"), "does not include its own lane"});
}

TEST(SimtChecks, ReturnModeGivesAnErrorCodeInstead) {
  simt::set_error_mode(simt::ErrorMode::Return);
  const int code = simt_tests::launch_broken_kernel(BrokenKernel::EarlyExit);
  simt::set_error_mode(simt::ErrorMode::Throw);
  EXPECT_EQ(code, cudaErrorLaunchFailure);
  EXPECT_NE(simt::last_kernel_error_message().find(at("early-exit")), std::string::npos)
      << simt::last_kernel_error_message();
  EXPECT_EQ(cudaGetLastError(), cudaSuccess) << "the launcher already read the error";
}

// Needs an ASan build (ADVGRAD_SANITIZE=ON); visibly skipped otherwise.
TEST(SimtChecksDeathTest, AddressSanitizerSeesOverruns) {
#if defined(__SANITIZE_ADDRESS__)
  EXPECT_DEATH(simt_tests::launch_overrun_kernel(false), "heap-buffer-overflow");
  EXPECT_DEATH(simt_tests::launch_overrun_kernel(true), "heap-buffer-overflow");
#else
  GTEST_SKIP() << "needs AddressSanitizer (configure with -DADVGRAD_SANITIZE=ON)";
#endif
}

TEST(SimtChecks, PrimitivesOutsideAKernelThrow) {
  EXPECT_THROW(__syncthreads(), simt::KernelError);
  EXPECT_THROW(__shfl_sync(0xffffffffu, 1.0f, 0), simt::KernelError);
}

}  // namespace
