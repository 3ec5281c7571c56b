#pragma once
// The CUDA kernels are compiled twice from one source: by nvcc for real GPUs
// ("gpu") and by the host compiler against the SIMT emulator ("emulated",
// kernels/simt/, docs/simt.md). Each build puts its symbols in its own inline
// namespace, so one program may link both — the test suite does: the real
// backend reports that there is no GPU while the emulated device runs the
// parity suite — and neither sees the other's definitions. Code names both as
// advgrad::kernels::cuda::...
//
// Targets that compile the emulated flavour define ADVGRAD_CUDA_EMULATED (and
// compile each .cu as C++ with -include kernels/simt/simt.h).
#if defined(ADVGRAD_CUDA_EMULATED)
#define ADVGRAD_CUDA_FLAVOUR emulated
#else
#define ADVGRAD_CUDA_FLAVOUR gpu
#endif

#define ADVGRAD_CUDA_NAMESPACE_BEGIN \
  namespace advgrad::kernels::cuda { \
  inline namespace ADVGRAD_CUDA_FLAVOUR {
#define ADVGRAD_CUDA_NAMESPACE_END \
  }                                \
  }
