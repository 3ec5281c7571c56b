#pragma once
// What a launch reports when a kernel breaks the CUDA execution model in a way
// the scheduler can see (barrier divergence, early exit before a barrier,
// deadlock, a warp primitive whose lanes disagree): the message names the
// kind of fault, the source line of the primitive, the threads involved and
// the launch site.
//
// By default the launch throws it (after recording cudaErrorLaunchFailure as
// the last error). With ErrorMode::Return the launch instead prints the
// message to stderr, keeps it for last_kernel_error_message() and returns
// cudaErrorLaunchFailure, for host code written to check error codes.

#include <stdexcept>
#include <string>

#include "advgrad/kernels/simt/runtime.h"

namespace simt {

class KernelError : public std::runtime_error {
 public:
  explicit KernelError(const std::string& message) : std::runtime_error(message) {}
  cudaError_t code() const noexcept { return cudaErrorLaunchFailure; }
};

enum class ErrorMode { Throw, Return };

void set_error_mode(ErrorMode mode);
ErrorMode error_mode();
// The message of the last kernel fault reported in ErrorMode::Return ("" if none).
const std::string& last_kernel_error_message();

}  // namespace simt
