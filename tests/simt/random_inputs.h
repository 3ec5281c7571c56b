#pragma once
// Seeded random inputs for the emulator's tests.

#include <cstddef>
#include <random>
#include <vector>

namespace simt_tests {

inline std::vector<float> random_floats(std::size_t n, unsigned seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(gen);
  return v;
}

}  // namespace simt_tests
