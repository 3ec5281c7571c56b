#pragma once
// Generator: an explicit, seedable source of randomness. It is a Philox stream
// (seed, offset): every draw reserves a block of counters and advances the
// offset, so the same seed gives the same bits on every thread count and
// device, and the state (seed, offset) can be saved and restored exactly.
#include <cstdint>

namespace advgrad {

class Generator {
 public:
  explicit Generator(std::uint64_t seed = 0) : seed_(seed) {}

  void manual_seed(std::uint64_t seed) {
    seed_ = seed;
    offset_ = 0;
  }
  std::uint64_t seed() const { return seed_; }

  struct State {
    std::uint64_t seed = 0, offset = 0;
    friend bool operator==(const State&, const State&) = default;
  };
  State state() const { return {seed_, offset_}; }
  void set_state(const State& s) {
    seed_ = s.seed;
    offset_ = s.offset;
  }

  // Reserves `counters` Philox counters and returns the first one.
  std::uint64_t reserve(std::uint64_t counters) {
    const std::uint64_t first = offset_;
    offset_ += counters;
    return first;
  }

  // Host-side draws for small things (shuffles, sampling a few indices).
  std::uint32_t next_u32();
  double next_double();                                    // [0, 1)
  std::int64_t next_int(std::int64_t low, std::int64_t high);  // [low, high), unbiased

 private:
  std::uint64_t seed_;
  std::uint64_t offset_ = 0;
};

// The process-wide generator used when a caller has none of its own.
Generator& default_generator();
void manual_seed(std::uint64_t seed);

}  // namespace advgrad
