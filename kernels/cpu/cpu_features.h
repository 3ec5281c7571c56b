#pragma once
// Run-time selection of the SIMD instruction set for the fast CPU kernels.
//
// The library is compiled for baseline x86-64 (no -march=native); kernels that
// want AVX2 or AVX-512 are written as functions with __attribute__((target)),
// and the caller picks one with cpu_isa(). That keeps a built library runnable
// on any x86-64 machine and still fast on a modern one.
//
// cpu_isa() is the best set the processor supports, capped by the environment
// variable ADVGRAD_CPU_ISA (scalar | avx2 | avx512) and by set_cpu_isa_limit()
// — which is how tests run every code path on one machine.
namespace advgrad::kernels::cpu {

enum class Isa { Scalar = 0, Avx2 = 1, Avx512 = 2 };

// AVX2 here means AVX2 + FMA; AVX-512 means AVX-512 F/BW/DQ/VL (+ FMA).
Isa cpu_isa();
Isa cpu_isa_supported();           // what the processor offers, ignoring limits
void set_cpu_isa_limit(Isa limit);  // process-wide cap (tests); Avx512 = no cap
const char* isa_name(Isa isa);

}  // namespace advgrad::kernels::cpu
