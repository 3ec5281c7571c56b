#pragma once
// The two spellings in which advgrad's .cu kernels differ from plain CUDA, so
// that one source compiles with nvcc for a GPU and with g++ for the SIMT
// emulator (kernels/simt/, docs/simt.md):
//
//   ADVGRAD_LAUNCH(kernel, grid, block, shared_bytes, stream)(args...);
//       kernel<<<grid, block, shared_bytes, stream>>>(args...) under nvcc;
//       simt::Launch otherwise (g++ cannot parse <<< >>>). Check launch errors
//       with cudaGetLastError() in both worlds. A template kernel with several
//       template arguments needs parentheses: ADVGRAD_LAUNCH((k<float, 16>), ...).
//
//   ADVGRAD_DYNAMIC_SHARED(T, name);
//       declares `T* name` pointing at the block's dynamic shared memory (the
//       launch's shared_bytes). `extern __shared__ T name[]` cannot be
//       emulated: it compiles, then fails to link.

#if defined(__CUDACC__)

#define ADVGRAD_LAUNCH(kernel, grid, block, shared_bytes, stream) kernel<<<(grid), (block), (shared_bytes), (stream)>>>

#define ADVGRAD_DYNAMIC_SHARED(T, name)                                       \
  extern __shared__ __align__(16) unsigned char advgrad_dynamic_shared_raw[]; \
  T* name = reinterpret_cast<T*>(advgrad_dynamic_shared_raw)

#else

#include "advgrad/kernels/simt/simt.h"

#define ADVGRAD_LAUNCH(kernel, grid, block, shared_bytes, stream) \
  ::simt::Launch((kernel), (grid), (block), (shared_bytes), (stream), #kernel, __FILE__, __LINE__)

#define ADVGRAD_DYNAMIC_SHARED(T, name) T* name = static_cast<T*>(::simt::dynamic_shared_memory())

#endif
