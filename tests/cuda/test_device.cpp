// The device runtime: moving tensors, device errors, and the caching
// allocator's promise that steady-state work makes no raw allocation.
#include <cstdlib>

#include "advgrad/core/backend/cuda.h"
#include "cuda_testing.h"

namespace advgrad::testing {
namespace {

TEST(CudaDevice, RoundTripKeepsValuesAndDtypes) {
  for (DType dtype : {DType::Float32, DType::Float64, DType::Int64}) {
    Tensor x = random_tensor({3, 5, 7}, 1, DType::Float64, -4, 4).to(dtype);
    Tensor d = x.to(cuda_test_device());
    EXPECT_TRUE(d.device() == cuda_test_device());
    EXPECT_EQ(d.dtype(), dtype);
    Tensor back = d.to(Device::cpu());
    EXPECT_TRUE(all_close(back.to(DType::Float64), x.to(DType::Float64), 0, 0));
  }
}

TEST(CudaDevice, MixingDevicesInOneOpIsAnError) {
  Tensor a = random_tensor({4}, 2, DType::Float32);
  Tensor b = a.to(cuda_test_device());
  try {
    (void)add(a, b);
    FAIL() << "expected advgrad::Error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("different devices"), std::string::npos) << m;
    EXPECT_NE(m.find("cuda:0"), std::string::npos) << m;
  }
}

TEST(CudaDevice, AskingForAMissingDeviceSaysSo) {
  const int count = cuda::device_count();
  ASSERT_GE(count, 1);
  try {
    (void)random_tensor({2}, 3).to(Device::cuda(count));
    FAIL() << "expected advgrad::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no such device"), std::string::npos) << e.what();
  }
}

TEST(CudaDevice, HostPointerOfADeviceTensorIsRefused) {
  Tensor d = random_tensor({4}, 4, DType::Float32).to(cuda_test_device());
  EXPECT_THROW((void)d.data<float>(), Error);
}

TEST(CudaAllocator, SteadyStateMakesNoRawAllocation) {
  if (const char* env = std::getenv("ADVGRAD_CUDA_CACHING"); env != nullptr && std::string(env) == "0") {
    record_skip("CudaAllocator.SteadyStateMakesNoRawAllocation", "ADVGRAD_CUDA_CACHING=0 turns the cache off");
    GTEST_SKIP() << "ADVGRAD_CUDA_CACHING=0";
  }
  cuda::empty_cache();
  const Tensor host = random_tensor({64, 33}, 5, DType::Float32);
  std::int64_t after_first = 0;
  for (int iteration = 0; iteration < 100; ++iteration) {
    // The same sizes every iteration, like a training step.
    Tensor a = host.to(cuda_test_device());
    Tensor b = host.reshape({33, 64}).to(cuda_test_device());
    Tensor c = host.slice(0, 0, 10).to(cuda_test_device());
    if (iteration == 0) after_first = cuda::memory_stats().raw_allocations;
  }
  const MemoryStats s = cuda::memory_stats();
  EXPECT_EQ(s.raw_allocations, after_first) << "the cache should serve every iteration after the first";
  EXPECT_GE(s.cache_hits, 99 * 3);
  EXPECT_EQ(s.allocated, 0u);
  EXPECT_GT(s.reserved, 0u);
  EXPECT_GE(s.peak_allocated, 2 * CachingAllocator::size_class(64 * 33 * 4));
  cuda::empty_cache();
  EXPECT_EQ(cuda::memory_stats().reserved, 0u);
}

}  // namespace
}  // namespace advgrad::testing
