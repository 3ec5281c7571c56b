#pragma once
// advgrad::Error: the one exception type for everything a user can get wrong
// (shapes, dtypes, devices, files, flags). Messages name the op, what was given
// and what was expected, e.g. "matmul: shapes [2, 3] and [4, 5] cannot be multiplied".
#include <sstream>
#include <stdexcept>
#include <string>

namespace advgrad {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
template <typename... Args>
std::string concat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
template <typename... Args>
[[noreturn]] void fail(const Args&... args) {
  throw Error(concat(args...));
}
}  // namespace detail
}  // namespace advgrad

// ADVGRAD_CHECK(cond, "op: ", what, ...) throws advgrad::Error with the pieces
// concatenated when cond is false. The message is only built on failure.
#define ADVGRAD_CHECK(cond, ...)                        \
  do {                                                  \
    if (!(cond)) ::advgrad::detail::fail(__VA_ARGS__);  \
  } while (0)
