#include "advgrad/kernels/simt/order.h"

#include <cstdlib>
#include <mutex>
#include <optional>
#include <stdexcept>

namespace simt {

namespace {

std::mutex order_mutex;
std::optional<Order> programmatic_order;  // guarded by order_mutex

// Parsed once: the environment does not change under a running process, and a
// malformed value must fail loudly on every launch rather than fall back.
const Order& environment_order() {
  static const Order order = [] {
    const char* env = std::getenv("ADVGRAD_SIMT_ORDER");
    return (env == nullptr || *env == '\0') ? Order::forward() : parse_order(env);
  }();
  return order;
}

std::optional<Order> swap_programmatic(std::optional<Order> next) {
  std::lock_guard lock(order_mutex);
  std::swap(programmatic_order, next);
  return next;
}

}  // namespace

Order parse_order(std::string_view text) {
  if (text == "forward") return Order::forward();
  if (text == "reverse") return Order::reverse();
  if (text == "random") return Order::random();
  constexpr std::string_view prefix = "random:";
  if (text.substr(0, prefix.size()) == prefix && text.size() > prefix.size()) {
    const std::string digits(text.substr(prefix.size()));
    char* end = nullptr;
    const unsigned long long seed = std::strtoull(digits.c_str(), &end, 10);
    if (*end == '\0' && digits.find_first_not_of("0123456789") == std::string::npos) return Order::random(seed);
  }
  throw std::invalid_argument("simt: thread order '" + std::string(text) +
                              "' is not one of forward, reverse, random, random:<seed> (ADVGRAD_SIMT_ORDER)");
}

std::string to_string(const Order& order) {
  switch (order.kind) {
    case Order::Kind::Forward:
      return "forward";
    case Order::Kind::Reverse:
      return "reverse";
    case Order::Kind::Random:
      return "random:" + std::to_string(order.seed);
  }
  return "?";
}

Order current_order() {
  {
    std::lock_guard lock(order_mutex);
    if (programmatic_order) return *programmatic_order;
  }
  return environment_order();
}

void set_order(const Order& order) { swap_programmatic(order); }

void clear_order() { swap_programmatic(std::nullopt); }

ScopedOrder::ScopedOrder(const Order& order) {
  const std::optional<Order> previous = swap_programmatic(order);
  had_previous_ = previous.has_value();
  previous_ = previous.value_or(Order{});
}

ScopedOrder::~ScopedOrder() { swap_programmatic(had_previous_ ? std::optional<Order>(previous_) : std::nullopt); }

}  // namespace simt
