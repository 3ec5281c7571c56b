#pragma once
// Float atomic max/min, which CUDA does not provide (its atomicMax/atomicMin
// take integers): a compare-and-swap loop on the bit pattern, written once for
// both nvcc and the SIMT emulator. A NaN `value` never wins; -0.0 and +0.0
// compare equal, so whichever is stored first stays.

#if !defined(__CUDACC__)
#include "advgrad/kernels/simt/simt.h"
#endif

__device__ __forceinline__ float advgrad_atomic_max(float* address, float value) {
  int* bits = reinterpret_cast<int*>(address);
  int old = *bits;
  while (__int_as_float(old) < value) {
    const int assumed = old;
    old = atomicCAS(bits, assumed, __float_as_int(value));
    if (old == assumed) break;
  }
  return __int_as_float(old);
}

__device__ __forceinline__ float advgrad_atomic_min(float* address, float value) {
  int* bits = reinterpret_cast<int*>(address);
  int old = *bits;
  while (__int_as_float(old) > value) {
    const int assumed = old;
    old = atomicCAS(bits, assumed, __float_as_int(value));
    if (old == assumed) break;
  }
  return __int_as_float(old);
}
