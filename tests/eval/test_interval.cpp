// The Wilson score interval against its definition and published values, and
// the rule that calls two accuracies different.
#include <cmath>

#include "advgrad/eval/interval.h"
#include "expect_error.h"
#include "testing.h"

namespace advgrad::eval {
namespace {

// The Wilson interval is the set of p for which |k/n - p| <= z sqrt(p(1-p)/n):
// the roots of (1 + z^2/n) p^2 - (2 k/n + z^2/n) p + (k/n)^2 = 0. An
// independent way to the same numbers.
Interval by_quadratic(std::int64_t k, std::int64_t n, double z) {
  const double ph = double(k) / double(n), a = 1 + z * z / double(n), b = -(2 * ph + z * z / double(n)), c = ph * ph;
  const double d = std::sqrt(b * b - 4 * a * c);
  return {(-b - d) / (2 * a), (-b + d) / (2 * a)};
}

TEST(WilsonInterval, MatchesTheQuadraticDefinition) {
  for (auto [k, n] : std::vector<std::pair<std::int64_t, std::int64_t>>{
           {1, 3}, {8, 10}, {37, 150}, {751, 1000}, {8460, 10000}, {5, 7}, {199, 200}}) {
    const Interval got = wilson_interval(k, n), want = by_quadratic(k, n, kZ95);
    EXPECT_NEAR(got.lo, want.lo, 1e-12) << k << "/" << n;
    EXPECT_NEAR(got.hi, want.hi, 1e-12) << k << "/" << n;
    EXPECT_TRUE(got.contains(double(k) / double(n)));
  }
}

TEST(WilsonInterval, PublishedValues) {
  // 8 of 10: [0.490, 0.943] (Brown, Cai and DasGupta 2001 discuss this case;
  // also Newcombe 1998, Table I, method 3: 0.4902 to 0.9433).
  const Interval i = wilson_interval(8, 10);
  EXPECT_NEAR(i.lo, 0.4902, 5e-5);
  EXPECT_NEAR(i.hi, 0.9433, 5e-5);
  // 0 of 10: the upper bound is z^2 / (n + z^2), not 0.
  const Interval zero = wilson_interval(0, 10);
  EXPECT_EQ(zero.lo, 0.0);
  EXPECT_NEAR(zero.hi, kZ95 * kZ95 / (10 + kZ95 * kZ95), 1e-12);
  EXPECT_EQ(wilson_interval(10, 10).hi, 1.0);
}

TEST(WilsonInterval, NarrowsAsTheSampleGrows) {
  const Interval small = accuracy_interval(0.85, 150), large = accuracy_interval(0.85, 10000);
  EXPECT_GT(small.hi - small.lo, 5 * (large.hi - large.lo));
  EXPECT_NEAR(large.hi - large.lo, 2 * kZ95 * std::sqrt(0.85 * 0.15 / 10000), 2e-4);
}

TEST(WilsonInterval, SeparationAndFormatting) {
  // 150 attacked images: 60% vs 70% overlap, 50% vs 70% do not.
  EXPECT_FALSE(separated(accuracy_interval(0.6, 150), accuracy_interval(0.7, 150)));
  EXPECT_TRUE(separated(accuracy_interval(0.5, 150), accuracy_interval(0.7, 150)));
  EXPECT_TRUE(separated(accuracy_interval(0.7, 150), accuracy_interval(0.5, 150)));
  EXPECT_EQ(format_with_interval(0.8, wilson_interval(8, 10)), "80.0% [49.0, 94.3]");
}

TEST(WilsonInterval, RejectsBadArguments) {
  testing::expect_error([] { wilson_interval(1, 0); }, {"wilson_interval", "n = 0"});
  testing::expect_error([] { wilson_interval(11, 10); }, {"wilson_interval", "[0, 10]"});
  testing::expect_error([] { wilson_interval(1, 10, 0); }, {"wilson_interval", "z"});
  testing::expect_error([] { accuracy_interval(1.5, 10); }, {"accuracy_interval", "1.5"});
  testing::expect_error([] { accuracy_interval(std::nan(""), 10); }, {"accuracy_interval"});
}

}  // namespace
}  // namespace advgrad::eval
