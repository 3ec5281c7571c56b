#pragma once
// expect_error(f, {"piece", ...}): f must throw advgrad::Error whose message
// contains every piece. Failures are reported at the caller's line.
#include <gtest/gtest.h>

#include <initializer_list>
#include <source_location>
#include <string>

#include "advgrad/core/error.h"

namespace advgrad::testing {

template <typename F>
void expect_error(F&& f, std::initializer_list<const char*> pieces,
                  std::source_location where = std::source_location::current()) {
  try {
    f();
  } catch (const Error& e) {
    const std::string msg = e.what();
    for (const char* p : pieces)
      if (msg.find(p) == std::string::npos)
        ADD_FAILURE_AT(where.file_name(), where.line()) << "error message lacks \"" << p << "\"\n  message: " << msg;
    return;
  }
  ADD_FAILURE_AT(where.file_name(), where.line()) << "expected advgrad::Error";
}

}  // namespace advgrad::testing
