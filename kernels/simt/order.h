#pragma once
// The order in which the scheduler resumes threads between wait points, and
// blocks within a grid. CUDA promises no order, so a correct kernel gives the
// same result in all of them; a missing __syncthreads usually does not. Run
// at least two orders (forward and a seeded random one): a race that reads a
// neighbour's value can be invisible in one order and obvious in another.
//
// Chosen by the environment variable ADVGRAD_SIMT_ORDER=forward|reverse|random[:seed]
// (default forward; random without a seed uses seed 1, so every run is
// reproducible), or by set_order()/ScopedOrder, which take precedence.

#include <cstdint>
#include <string>
#include <string_view>

namespace simt {

struct Order {
  enum class Kind { Forward, Reverse, Random };
  Kind kind = Kind::Forward;
  std::uint64_t seed = 1;  // used by Random only

  static Order forward() { return {Kind::Forward, 1}; }
  static Order reverse() { return {Kind::Reverse, 1}; }
  static Order random(std::uint64_t seed = 1) { return {Kind::Random, seed}; }
};

// Parses "forward", "reverse", "random" or "random:<seed>"; throws
// std::invalid_argument naming the text and the accepted forms.
Order parse_order(std::string_view text);
std::string to_string(const Order& order);

// The order launches use now: set_order's, else ADVGRAD_SIMT_ORDER's, else forward.
Order current_order();
void set_order(const Order& order);
void clear_order();  // back to the environment / default

class ScopedOrder {
 public:
  explicit ScopedOrder(const Order& order);
  ~ScopedOrder();
  ScopedOrder(const ScopedOrder&) = delete;
  ScopedOrder& operator=(const ScopedOrder&) = delete;

 private:
  bool had_previous_;
  Order previous_;
};

}  // namespace simt
