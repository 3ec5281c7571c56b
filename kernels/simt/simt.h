#pragma once
// The CUDA subset advgrad's kernels use, as plain C++ running on the host.
//
// Compile a .cu file with g++ as `-x c++ -include kernels/simt/simt.h` and its
// kernels run under the SIMT emulator: every CUDA thread of a block is a fiber,
// run until it reaches __syncthreads or a warp primitive, then the next one
// runs; blocks run one after another. See docs/simt.md.
//
// Never give this header to nvcc: the real toolkit provides all of this.

#if defined(__CUDACC__)
#error "kernels/simt/simt.h emulates CUDA for a host compiler; do not include it when compiling with nvcc"
#endif

#include "advgrad/kernels/simt/atomics.h"
#include "advgrad/kernels/simt/kernel_error.h"
#include "advgrad/kernels/simt/launch.h"
#include "advgrad/kernels/simt/math_shims.h"
#include "advgrad/kernels/simt/order.h"
#include "advgrad/kernels/simt/qualifiers.h"
#include "advgrad/kernels/simt/runtime.h"
#include "advgrad/kernels/simt/sync.h"
#include "advgrad/kernels/simt/thread_index.h"
