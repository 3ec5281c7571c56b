#pragma once
// Builds diagnostic messages by appending. (Chains of `"text" + std::string`
// trip a false -Wrestrict in GCC 12 at -O3.) Internal to kernels/simt.

#include <string>
#include <string_view>

namespace simt::detail {

template <class... Parts>
std::string concat(const Parts&... parts) {
  std::string s;
  (s.append(std::string_view(parts)), ...);
  return s;
}

}  // namespace simt::detail
