#pragma once
// CUDA declaration qualifiers as plain C++. Under the emulator every function
// runs on the host, so the execution-space qualifiers vanish; `__shared__`
// becomes `static thread_local`: one copy per OS thread, and since a block
// runs entirely on one OS thread (its CUDA threads are fibers of that thread),
// that is exactly one copy per running block, shared by its threads.

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__ __attribute__((noinline))
#define __constant__
#define __launch_bounds__(...)
#define __shared__ static thread_local
