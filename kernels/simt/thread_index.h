#pragma once
// dim3 / uint3 and the built-in index variables of a CUDA thread.
//
// threadIdx, blockIdx, blockDim and gridDim are per-OS-thread globals: the
// scheduler stores the coordinates of the fiber it is about to resume before
// every switch, so kernel code reads them like the CUDA built-ins. They are
// written only by the scheduler (kernels/simt/block_scheduler.cpp).

struct uint3 {
  unsigned int x, y, z;
};

struct dim3 {
  unsigned int x, y, z;
  constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) {}
  constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
  constexpr operator uint3() const { return {x, y, z}; }
};

inline thread_local uint3 threadIdx{0, 0, 0};
inline thread_local uint3 blockIdx{0, 0, 0};
inline thread_local dim3 blockDim{1, 1, 1};
inline thread_local dim3 gridDim{1, 1, 1};

// A runtime value on real GPUs; 32 on every architecture we target.
inline constexpr int warpSize = 32;
