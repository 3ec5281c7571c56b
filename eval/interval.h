#pragma once
// How sure is an accuracy? A test set of n images measures accuracy p = k / n
// only up to sampling noise; the 95% interval says how far the true accuracy
// (on the distribution the images were drawn from) may plausibly be. The
// report prints it beside every accuracy and calls two models different only
// when their intervals do not overlap.
//
// Wilson's score interval (Wilson 1927; recommended over the normal
// approximation p +/- z sqrt(p(1-p)/n) by Brown, Cai and DasGupta 2001,
// "Interval Estimation for a Binomial Proportion"): with z = 1.96 for 95%,
//
//   centre    = (p + z^2 / (2n)) / (1 + z^2 / n)
//   half-width = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / (4 n^2))
//
// It stays inside [0, 1], and at p = 0 or 1 it still has a width (the normal
// one collapses to a point: "0 of 40 fooled, so never fooled").
#include <cstdint>
#include <string>

namespace advgrad::eval {

struct Interval {
  double lo = 0, hi = 1;
  bool contains(double x) const { return lo <= x && x <= hi; }
};

constexpr double kZ95 = 1.959963984540054;  // the 97.5% quantile of the standard normal

// The Wilson interval of k successes in n trials. Throws advgrad::Error for
// n < 1, k outside [0, n] or z <= 0.
Interval wilson_interval(std::int64_t k, std::int64_t n, double z = kZ95);
// The same for an accuracy measured on n examples (k = round(accuracy * n)).
Interval accuracy_interval(double accuracy, std::int64_t n, double z = kZ95);

// Whether the two intervals do not overlap: only then does the report call
// one accuracy higher than the other.
bool separated(const Interval& a, const Interval& b);

// "84.6% [83.9, 85.3]": the accuracy and its interval, in percent.
std::string format_with_interval(double accuracy, const Interval& interval, int decimals = 1);

}  // namespace advgrad::eval
