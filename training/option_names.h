#pragma once
// Checking a string option against the names a recipe accepts, and listing
// them in an error message ("fgsm, fgsm-rs, pgd").
#include <algorithm>
#include <string>
#include <vector>

namespace advgrad::training {

inline bool is_one_of(const std::string& value, const std::vector<std::string>& names) {
  return std::find(names.begin(), names.end(), value) != names.end();
}

inline std::string joined_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace advgrad::training
