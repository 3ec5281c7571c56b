#pragma once
// advgrad::cuda: the CUDA devices as a user sees them. Tensors move with
// t.to(Device::cuda()) (or a module with module.to(...)), and ops on CUDA
// tensors run the hand-written kernels of kernels/cuda/.
//
// A CPU-only build, or a CUDA build on a machine without a usable GPU, has no
// devices: is_available() is false, and moving a tensor to cuda throws
// advgrad::Error saying why. The test suite also runs the whole CUDA backend on
// an emulated device (the SIMT emulator, kernels/simt/) by calling
// use_emulated_device() from core/backend/cuda/emulated.h.
#include <functional>
#include <string>

#include "advgrad/core/backend/caching_allocator.h"  // MemoryStats

namespace advgrad::cuda {

bool is_available();
int device_count();
// One line: "cuda: NVIDIA H200 (sm_90)", "emulated: SIMT emulator on the host
// CPU", or "none: <the reason>".
std::string describe();

// The caching allocator of a device (core/backend/caching_allocator.h): bytes in use,
// reserved, their peaks, and how many raw cudaMalloc calls were made.
MemoryStats memory_stats(int device = 0);
void reset_peak_memory_stats(int device = 0);
// Returns the cached free blocks of every device to the driver.
void empty_cache();
// Waits for the queued kernels of a device.
void synchronize(int device = 0);
// Device time of `work` in milliseconds, measured with CUDA events recorded
// before and after it (the host clock around a synchronise when emulated).
double time_ms(const std::function<void()>& work, int device = 0);

// The conv kernels CUDA tensors use (also ADVGRAD_CUDA_CONV=direct|implicit-gemm|cudnn):
// the readable direct loops, the tiled implicit GEMM (the default), or cuDNN —
// the yardstick, on a GPU in a build with cuDNN only (see cudnn_available());
// elsewhere a conv run with Cudnn chosen throws advgrad::Error saying why.
enum class ConvAlgorithm { Direct, ImplicitGemm, Cudnn };
void set_conv_algorithm(ConvAlgorithm algorithm);
ConvAlgorithm conv_algorithm();
// The names ADVGRAD_CUDA_CONV takes: "direct", "implicit-gemm", "cudnn".
// parse_conv_algorithm throws advgrad::Error listing them for any other text.
ConvAlgorithm parse_conv_algorithm(const std::string& name);
const char* conv_algorithm_name(ConvAlgorithm algorithm);
// True when ConvAlgorithm::Cudnn can run: this build has cuDNN, the CUDA
// devices are real GPUs (not the emulated device), and cuDNN loads and
// creates a handle on the current one.
bool cudnn_available();
// GEMM on CUDA tensors (also ADVGRAD_CUDA_GEMM=cublas|tiled): cuBLAS on a GPU
// (the default there), or our tiled SGEMM kernel (the only one when emulated).
enum class GemmAlgorithm { Cublas, Tiled };
void set_gemm_algorithm(GemmAlgorithm algorithm);
GemmAlgorithm gemm_algorithm();

}  // namespace advgrad::cuda
