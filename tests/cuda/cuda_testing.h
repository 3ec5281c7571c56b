#pragma once
// The CUDA parity suite's helpers. The suite runs on a real GPU when the
// library was built with CUDA and one is present, and on the emulated device
// (the SIMT emulator, core/backend/cuda/emulated.h) otherwise; main.cpp picks and
// prints which. Every check compares the CUDA device against the CPU
// reference kernels on the same inputs.
#include <string>
#include <vector>

#include "advgrad/core/backend/cuda.h"
#include "testing.h"

namespace advgrad::testing {

// The device under test (cuda:0 of the real or the emulated runtime).
Device cuda_test_device();
bool cuda_test_device_is_emulated();
// A copy on the device under test; keeps requires_grad for leaves.
Tensor to_cuda(const Tensor& t);

// The registry's CUDA mode for one case (tests/ops/op_registry.h), under one
// of its variants (or none): the case on the device under test against the
// CPU reference kernels, in float32 (the case's tolerance) and float64 (1e-10,
// 1e-12), on contiguous and (unless the case opts out) non-contiguous device
// inputs: the output and the gradients of sum(out * w) with respect to every
// differentiable input; then (unless the case opts out) a float64
// finite-difference gradcheck of the op run on the device, its inputs moved
// there differentiably and its output brought back.
::testing::AssertionResult cuda_matches_reference(const OpSpec& spec, const Variant* variant);

// The conv algorithm of CUDA tensors for one scope; the previous one is restored.
class ConvAlgorithmScope {
 public:
  explicit ConvAlgorithmScope(cuda::ConvAlgorithm algorithm) : saved_(cuda::conv_algorithm()) {
    cuda::set_conv_algorithm(algorithm);
  }
  ~ConvAlgorithmScope() { cuda::set_conv_algorithm(saved_); }
  ConvAlgorithmScope(const ConvAlgorithmScope&) = delete;
  ConvAlgorithmScope& operator=(const ConvAlgorithmScope&) = delete;

 private:
  cuda::ConvAlgorithm saved_;
};

// A counted, printed skip (never a silent pass): the summary at exit lists them.
void record_skip(const std::string& what, const std::string& why);

}  // namespace advgrad::testing
