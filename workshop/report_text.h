#pragma once
// How the workshop's report words its numbers: every accuracy with its 95%
// interval, and a difference called only when the intervals separate
// (eval/interval.h). The sentences are computed from the measured numbers, so
// they stay true on any data set and budget.
#include <cstdint>
#include <string>

namespace advgrad::workshop {

// An accuracy measured on n examples: "77.8% [74.0, 81.2]"; n < 1 (a record
// written before counts were kept): "77.8%".
std::string accuracy_text(double accuracy, std::int64_t n);

// A measured accuracy with the n behind it.
struct Measured {
  std::string what;  // "PGD-AT under PGD-40"
  double accuracy = 0;
  std::int64_t n = 0;
};
// "A (x% [..]) is higher than B (y% [..])", "... is lower than ...", or, when
// the 95% intervals overlap, "A (x%) and B (y%) cannot be told apart on
// these n images (their 95% intervals overlap)".
std::string compare_text(const Measured& a, const Measured& b);
// -1, 0, +1: a below b, indistinguishable, a above b (by separated intervals).
int compare(const Measured& a, const Measured& b);

}  // namespace advgrad::workshop
