// The emulated CUDA runtime: memory, copies, errors, launch configuration
// checks, thread-order selection and the math shims.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "advgrad/kernels/simt/simt.h"
#include "simt/test_kernels.h"

namespace {

TEST(SimtRuntime, MallocMemcpyMemsetRoundTrip) {
  std::vector<float> host(1001);
  for (std::size_t i = 0; i < host.size(); ++i) host[i] = 0.5f * static_cast<float>(i);
  const std::size_t bytes = host.size() * sizeof(float);
  float* a = nullptr;
  float* b = nullptr;
  ASSERT_EQ(cudaMalloc(&a, bytes), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&b, bytes), cudaSuccess);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a) % 256, 0u);
  EXPECT_EQ(cudaMemcpy(a, host.data(), bytes, cudaMemcpyHostToDevice), cudaSuccess);
  EXPECT_EQ(cudaMemcpy(b, a, bytes, cudaMemcpyDeviceToDevice), cudaSuccess);
  std::vector<float> back(host.size());
  EXPECT_EQ(cudaMemcpy(back.data(), b, bytes, cudaMemcpyDeviceToHost), cudaSuccess);
  EXPECT_EQ(back, host);
  EXPECT_EQ(cudaMemset(b + 1, 0, bytes - sizeof(float)), cudaSuccess);
  EXPECT_EQ(cudaMemcpyAsync(back.data(), b, bytes, cudaMemcpyDefault, nullptr), cudaSuccess);
  EXPECT_EQ(back[0], 0.0f);
  EXPECT_EQ(back[1000], 0.0f);
  EXPECT_EQ(cudaFree(a), cudaSuccess);
  EXPECT_EQ(cudaFree(b), cudaSuccess);
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
}

TEST(SimtRuntime, RefusesWhatTheRealRuntimeRefuses) {
  std::vector<int> host(16);
  int* d = nullptr;
  ASSERT_EQ(cudaMalloc(&d, 16 * sizeof(int)), cudaSuccess);
  // A host pointer where a device one belongs, and a copy past the end.
  EXPECT_EQ(cudaMemcpy(host.data(), d, 64, cudaMemcpyHostToDevice), cudaErrorInvalidValue);
  EXPECT_EQ(cudaMemcpy(d, host.data(), 65, cudaMemcpyHostToDevice), cudaErrorInvalidValue);
  EXPECT_EQ(cudaMemcpy(host.data(), d + 1, 64, cudaMemcpyDeviceToHost), cudaErrorInvalidValue);
  EXPECT_EQ(cudaMemset(host.data(), 0, 4), cudaErrorInvalidValue);
  EXPECT_EQ(cudaMemcpy(d, host.data(), 4, static_cast<cudaMemcpyKind>(7)), cudaErrorInvalidMemcpyDirection);
  EXPECT_EQ(cudaFree(host.data()), cudaErrorInvalidDevicePointer);
  // The last error is the latest one, and reading it clears it.
  EXPECT_EQ(cudaPeekAtLastError(), cudaErrorInvalidDevicePointer);
  EXPECT_EQ(cudaGetLastError(), cudaErrorInvalidDevicePointer);
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
  void* empty = &host;
  EXPECT_EQ(cudaMalloc(&empty, 0), cudaSuccess);
  EXPECT_EQ(empty, nullptr);
  EXPECT_EQ(cudaFree(nullptr), cudaSuccess);
  EXPECT_EQ(cudaFree(d), cudaSuccess);
  EXPECT_EQ(cudaFree(d), cudaErrorInvalidDevicePointer) << "double free";
  EXPECT_EQ(cudaGetLastError(), cudaErrorInvalidDevicePointer);
}

TEST(SimtRuntime, ErrorNamesAndStrings) {
  EXPECT_STREQ(cudaGetErrorString(cudaSuccess), "no error");
  EXPECT_STREQ(cudaGetErrorString(cudaErrorInvalidConfiguration), "invalid configuration argument");
  EXPECT_STREQ(cudaGetErrorName(cudaErrorLaunchFailure), "cudaErrorLaunchFailure");
  EXPECT_EQ(static_cast<int>(cudaErrorLaunchFailure), 719);  // the CUDA runtime's values
}

TEST(SimtRuntime, LaunchConfigurationErrors) {
  struct Case {
    dim3 grid, block;
    std::size_t shared;
    cudaError_t want;
  };
  const Case cases[] = {
      {{2, 3, 1}, {4, 2, 3}, 0, cudaSuccess},
      {{1, 1, 1}, {1024, 1, 1}, 48 * 1024, cudaSuccess},
      {{1, 1, 1}, {1025, 1, 1}, 0, cudaErrorInvalidConfiguration},
      {{1, 1, 1}, {32, 32, 2}, 0, cudaErrorInvalidConfiguration},
      {{1, 1, 1}, {1, 1, 65}, 0, cudaErrorInvalidConfiguration},
      {{0, 1, 1}, {32, 1, 1}, 0, cudaErrorInvalidConfiguration},
      {{1, 1, 1}, {32, 0, 1}, 0, cudaErrorInvalidConfiguration},
      {{1, 65536, 1}, {32, 1, 1}, 0, cudaErrorInvalidConfiguration},
      {{1, 1, 1}, {32, 1, 1}, 48 * 1024 + 1, cudaErrorInvalidValue},
  };
  for (const Case& c : cases) {
    int ran = -1;
    const int code = simt_tests::launch_counting_kernel(c.grid.x, c.grid.y, c.grid.z, c.block.x, c.block.y, c.block.z,
                                                        c.shared, &ran);
    EXPECT_EQ(code, c.want) << "grid " << c.grid.x << "x" << c.grid.y << "x" << c.grid.z << ", block " << c.block.x
                            << "x" << c.block.y << "x" << c.block.z << ", shared " << c.shared;
    const int threads = static_cast<int>(c.grid.x * c.grid.y * c.grid.z * c.block.x * c.block.y * c.block.z);
    EXPECT_EQ(ran, c.want == cudaSuccess ? threads : 0) << "a refused launch runs nothing";
  }
}

TEST(SimtOrder, ParsesTheEnvironmentSpellings) {
  EXPECT_EQ(simt::parse_order("forward").kind, simt::Order::Kind::Forward);
  EXPECT_EQ(simt::parse_order("reverse").kind, simt::Order::Kind::Reverse);
  EXPECT_EQ(simt::parse_order("random").kind, simt::Order::Kind::Random);
  EXPECT_EQ(simt::parse_order("random:42").seed, 42u);
  EXPECT_EQ(simt::to_string(simt::parse_order("random:42")), "random:42");
  for (const char* bad : {"", "backward", "random:", "random:-1", "random:x", "Forward"}) {
    EXPECT_THROW(simt::parse_order(bad), std::invalid_argument) << bad;
  }
}

TEST(SimtOrder, ScopedOrderRestoresThePreviousOne) {
  const std::string before = simt::to_string(simt::current_order());
  {
    simt::ScopedOrder outer(simt::Order::reverse());
    {
      simt::ScopedOrder inner(simt::Order::random(9));
      EXPECT_EQ(simt::to_string(simt::current_order()), "random:9");
    }
    EXPECT_EQ(simt::to_string(simt::current_order()), "reverse");
  }
  EXPECT_EQ(simt::to_string(simt::current_order()), before);
}

TEST(SimtMath, ShimsMatchCudaSemantics) {
  EXPECT_FLOAT_EQ(rsqrtf(4.0f), 0.5f);
  EXPECT_FLOAT_EQ(__fdividef(1.0f, 4.0f), 0.25f);
  EXPECT_FLOAT_EQ(__expf(0.0f), 1.0f);
  EXPECT_FLOAT_EQ(__logf(1.0f), 0.0f);
  EXPECT_EQ(__saturatef(NAN), 0.0f);
  EXPECT_EQ(__saturatef(1.5f), 1.0f);
  EXPECT_EQ(__saturatef(-0.5f), 0.0f);
  EXPECT_EQ(__int_as_float(__float_as_int(-3.25f)), -3.25f);
  EXPECT_EQ(__float_as_int(1.0f), 0x3f800000);
  EXPECT_EQ(__popc(0xf0f0u), 8);
  EXPECT_EQ(__ffs(8), 4);
  EXPECT_EQ(__ffs(0), 0);
  EXPECT_EQ(__clz(1), 31);
  const float values[] = {1.0f, 2.0f};
  EXPECT_EQ(__ldg(values + 1), 2.0f);
  EXPECT_EQ(min(3, -2), -2);
  EXPECT_EQ(max(3u, 7u), 7u);
  EXPECT_EQ(max(1.5f, NAN), 1.5f);  // fmaxf semantics, as in CUDA
  EXPECT_EQ(fminf(1.0f, 2.0f), 1.0f);
  EXPECT_EQ(warpSize, 32);
}

}  // namespace
