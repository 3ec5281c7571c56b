#include "advgrad/eval/interval.h"

#include <cmath>
#include <cstdio>

#include "advgrad/core/error.h"

namespace advgrad::eval {

Interval wilson_interval(std::int64_t k, std::int64_t n, double z) {
  ADVGRAD_CHECK(n >= 1, "wilson_interval: need at least one trial, got n = ", n);
  ADVGRAD_CHECK(k >= 0 && k <= n, "wilson_interval: successes must be in [0, ", n, "], got ", k);
  ADVGRAD_CHECK(std::isfinite(z) && z > 0, "wilson_interval: z must be > 0, got ", z);
  const double nn = static_cast<double>(n), p = static_cast<double>(k) / nn, z2 = z * z;
  const double denom = 1 + z2 / nn;
  const double centre = (p + z2 / (2 * nn)) / denom;
  const double half = z / denom * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
  // At p = 0 (or 1) the bound is 0 (or 1) exactly; rounding must not push it past.
  return {k == 0 ? 0.0 : std::max(0.0, centre - half), k == n ? 1.0 : std::min(1.0, centre + half)};
}

Interval accuracy_interval(double accuracy, std::int64_t n, double z) {
  ADVGRAD_CHECK(std::isfinite(accuracy) && accuracy >= 0 && accuracy <= 1,
                "accuracy_interval: accuracy must be in [0, 1], got ", accuracy);
  ADVGRAD_CHECK(n >= 1, "accuracy_interval: need at least one example, got n = ", n);
  return wilson_interval(std::llround(accuracy * static_cast<double>(n)), n, z);
}

bool separated(const Interval& a, const Interval& b) { return a.hi < b.lo || b.hi < a.lo; }

std::string format_with_interval(double accuracy, const Interval& interval, int decimals) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.*f%% [%.*f, %.*f]", decimals, 100 * accuracy, decimals, 100 * interval.lo,
                decimals, 100 * interval.hi);
  return buf;
}

}  // namespace advgrad::eval
