#pragma once
// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
// SC'11): a counter-based generator. Element i of a draw uses counter
// (offset + i / 4, lane i % 4) under key = seed, so any backend, any thread
// count and any chunking give the same numbers for the same (seed, offset).
#include <array>
#include <cmath>
#include <cstdint>

#include "advgrad/kernels/elementwise_ops.h"  // ADVGRAD_HD

namespace advgrad::kernels {

ADVGRAD_HD inline std::array<std::uint32_t, 4> philox4x32(std::uint64_t counter, std::uint64_t key64) {
  std::uint32_t c0 = static_cast<std::uint32_t>(counter), c1 = static_cast<std::uint32_t>(counter >> 32);
  std::uint32_t c2 = 0, c3 = 0;
  std::uint32_t k0 = static_cast<std::uint32_t>(key64), k1 = static_cast<std::uint32_t>(key64 >> 32);
  constexpr std::uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  constexpr std::uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t p0 = static_cast<std::uint64_t>(kMul0) * c0;
    const std::uint64_t p1 = static_cast<std::uint64_t>(kMul1) * c2;
    const std::uint32_t n0 = static_cast<std::uint32_t>(p1 >> 32) ^ c1 ^ k0;
    const std::uint32_t n2 = static_cast<std::uint32_t>(p0 >> 32) ^ c3 ^ k1;
    c1 = static_cast<std::uint32_t>(p1);
    c3 = static_cast<std::uint32_t>(p0);
    c0 = n0;
    c2 = n2;
    k0 += kWeyl0;
    k1 += kWeyl1;
  }
  return {c0, c1, c2, c3};
}

// 32 random bits for element i of the stream (seed, offset).
ADVGRAD_HD inline std::uint32_t philox_bits(std::uint64_t seed, std::uint64_t offset, std::uint64_t i) {
  return philox4x32(offset + i / 4, seed)[i % 4];
}

// Uniform in [0, 1) with 24 (float) or 32 (double) random bits.
template <typename T>
ADVGRAD_HD inline T bits_to_unit(std::uint32_t bits) {
  if constexpr (sizeof(T) == 4) return static_cast<T>(bits >> 8) * T(1.0 / 16777216.0);
  else return static_cast<T>(bits) * T(1.0 / 4294967296.0);
}

// Standard normal by Box-Muller from two uniform draws (elements 2j and 2j+1 of
// a private stream): u1 in (0, 1], u2 in [0, 1).
ADVGRAD_HD inline double box_muller(std::uint32_t bits1, std::uint32_t bits2) {
  const double u1 = 1.0 - bits_to_unit<double>(bits1), u2 = bits_to_unit<double>(bits2);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}
template <typename T>
ADVGRAD_HD inline T normal_at(std::uint64_t seed, std::uint64_t offset, std::uint64_t i) {
  return static_cast<T>(box_muller(philox_bits(seed, offset, 2 * i), philox_bits(seed, offset, 2 * i + 1)));
}

// Counters a draw of n elements consumes (uniform: n/4, normal: 2n/4), rounded up.
inline std::uint64_t philox_counters_uniform(std::int64_t n) { return (static_cast<std::uint64_t>(n) + 3) / 4; }
inline std::uint64_t philox_counters_normal(std::int64_t n) { return (2 * static_cast<std::uint64_t>(n) + 3) / 4; }

}  // namespace advgrad::kernels
