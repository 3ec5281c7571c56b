#pragma once
// The emulated CUDA device (in-tree only: link advgrad_cuda_emulated).
//
// After use_emulated_device(), Device::cuda(0) is a device whose memory is
// host memory and whose kernels are the unchanged .cu sources of kernels/cuda/
// run by the SIMT emulator — the same backend, allocator and launch code as on
// a GPU, with our tiled SGEMM in place of cuBLAS. It is slow (every CUDA thread
// is a fiber) and exists to test the CUDA backend where there is no GPU.
namespace advgrad::cuda {
void use_emulated_device();
}  // namespace advgrad::cuda
