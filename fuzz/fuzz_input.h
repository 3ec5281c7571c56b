#pragma once
// What every harness shares: the fuzzer's bytes as a string, and the one
// outcome a parser may have besides success, advgrad::Error. Anything else (a
// crash, a sanitizer report, another exception, a hang, a huge allocation) is
// a finding: libFuzzer stops and saves the input.
#include <cstddef>
#include <cstdint>
#include <string>

#include "advgrad/core/error.h"

namespace advgrad::fuzz {

inline std::string as_string(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// Runs `parse`; a clean advgrad::Error is the expected refusal of a bad input.
template <typename F>
void refuse_or_parse(F parse) {
  try {
    parse();
  } catch (const advgrad::Error&) {
  }
}

}  // namespace advgrad::fuzz
