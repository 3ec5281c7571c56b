#include "advgrad/core/generator.h"

#include "advgrad/core/error.h"
#include "advgrad/kernels/random.h"

namespace advgrad {

std::uint32_t Generator::next_u32() { return kernels::philox_bits(seed_, reserve(1), 0); }

double Generator::next_double() {
  const std::uint64_t c = reserve(1);
  const auto r = kernels::philox4x32(c, seed_);
  const std::uint64_t bits = (static_cast<std::uint64_t>(r[0]) << 21) ^ r[1];  // 53 bits
  return static_cast<double>(bits & ((1ull << 53) - 1)) * (1.0 / 9007199254740992.0);
}

std::int64_t Generator::next_int(std::int64_t low, std::int64_t high) {
  ADVGRAD_CHECK(high > low, "Generator::next_int: empty range [", low, ", ", high, ")");
  const std::uint64_t range = static_cast<std::uint64_t>(high - low);
  // Rejection sampling on 64-bit draws: no modulo bias.
  const std::uint64_t limit = ~0ull - (~0ull % range);
  for (;;) {
    const auto r = kernels::philox4x32(reserve(1), seed_);
    const std::uint64_t v = (static_cast<std::uint64_t>(r[0]) << 32) | r[1];
    if (v < limit) return low + static_cast<std::int64_t>(v % range);
  }
}

Generator& default_generator() {
  static Generator gen(0);
  return gen;
}

void manual_seed(std::uint64_t seed) { default_generator().manual_seed(seed); }

}  // namespace advgrad
