// The CUDA test binary: picks the device under test, says which, runs the
// suite and lists the skipped checks.
//
// A real GPU is used when this build of the library has the CUDA backend and
// the runtime finds a device (or when ADVGRAD_TEST_CUDA=real demands it); the
// emulated device otherwise (or when ADVGRAD_TEST_CUDA=emulated). The emulated
// device runs the same kernels under the SIMT emulator, in the thread order of
// ADVGRAD_SIMT_ORDER; ctest runs the suite in two orders.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "advgrad/core/backend/cuda.h"
#include "advgrad/core/backend/cuda/emulated.h"

namespace advgrad::testing {
void print_skips();
}

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const char* env = std::getenv("ADVGRAD_TEST_CUDA");
  const std::string want = env ? env : "auto";
  if (want != "auto" && want != "real" && want != "emulated") {
    std::cerr << "ADVGRAD_TEST_CUDA=" << want << ": expected auto, real or emulated\n";
    return 2;
  }
  const std::string real = advgrad::cuda::describe();
  if (want == "real" && !advgrad::cuda::is_available()) {
    std::cerr << "ADVGRAD_TEST_CUDA=real, but there is no usable GPU (" << real << ")\n";
    return 2;
  }
  if (want == "emulated" || (want == "auto" && !advgrad::cuda::is_available())) {
    std::cout << "[cuda] real device: " << real << "\n";
    advgrad::cuda::use_emulated_device();
    const char* order = std::getenv("ADVGRAD_SIMT_ORDER");
    std::cout << "[cuda] testing on the emulated device, thread order " << (order ? order : "forward") << "\n";
  }
  std::cout << "[cuda] device under test: " << advgrad::cuda::describe() << "\n";
  const int status = RUN_ALL_TESTS();
  advgrad::testing::print_skips();
  return status;
}
