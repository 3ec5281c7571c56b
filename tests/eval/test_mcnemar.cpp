// McNemar's exact test (eval/mcnemar.h) against hand-computed binomial tails
// and against a direct count on random paired correctness.
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "advgrad/eval/mcnemar.h"
#include "expect_error.h"
#include "testing.h"

namespace advgrad::eval {
namespace {

TEST(McNemar, HandComputedPValues) {
  // b = 0, c = 5: 2 * C(5,0) / 2^5 = 2/32.
  EXPECT_NEAR(mcnemar_exact_p(0, 5), 2.0 / 32, 1e-12);
  // b = 1, c = 4: 2 * (1 + 5) / 32 = 12/32.
  EXPECT_NEAR(mcnemar_exact_p(1, 4), 12.0 / 32, 1e-12);
  // b = 10, c = 2: 2 * (1 + 12 + 66) / 4096 = 158/4096.
  EXPECT_NEAR(mcnemar_exact_p(10, 2), 158.0 / 4096, 1e-12);
  // b = 3, c = 3: the tail is 42/64 > 1/2, so p = 1.
  EXPECT_DOUBLE_EQ(mcnemar_exact_p(3, 3), 1.0);
  EXPECT_DOUBLE_EQ(mcnemar_exact_p(0, 0), 1.0);
  // Large counts stay finite: 2 * P(X <= 450), X ~ Bin(1000, 1/2), summed
  // in exact integers (Python: 2 * sum(comb(1000, k) for k <= 450) / 2**1000).
  EXPECT_NEAR(mcnemar_exact_p(450, 550), 0.0017305360849763, 1e-9);
  const double tiny = mcnemar_exact_p(0, 3000);  // 2^-2999 underflows to 0, never NaN
  EXPECT_TRUE(tiny >= 0 && tiny < 1e-300);
}

TEST(McNemar, CountsAndSymmetryOnRandomPairs) {
  std::mt19937 rng(std::random_device{}());
  std::bernoulli_distribution right(0.7);
  const std::size_t n = 97 + rng() % 50;
  std::vector<bool> a(n), b(n);
  std::int64_t b_only = 0, c_only = 0, both = 0, neither = 0;
  for (std::size_t i = 0; i < n; ++i) {
    a[i] = right(rng);
    b[i] = right(rng);
    both += a[i] && b[i];
    neither += !a[i] && !b[i];
    b_only += a[i] && !b[i];
    c_only += !a[i] && b[i];
  }
  const McNemar m = mcnemar_test(a, b);
  EXPECT_EQ(m.both_right, both);
  EXPECT_EQ(m.both_wrong, neither);
  EXPECT_EQ(m.only_first, b_only);
  EXPECT_EQ(m.only_second, c_only);
  // Swapping the models swaps b and c and keeps p.
  const McNemar s = mcnemar_test(b, a);
  EXPECT_EQ(s.only_first, c_only);
  EXPECT_DOUBLE_EQ(s.p_value, m.p_value);
  // The direct sum of binomial terms, built by the recurrence C(n,k+1) = C(n,k) (n-k)/(k+1).
  const std::int64_t d = b_only + c_only, lo = std::min(b_only, c_only);
  double term = std::pow(0.5, static_cast<double>(d)), tail = 0;
  for (std::int64_t k = 0; k <= lo; ++k) {
    tail += term;
    term *= static_cast<double>(d - k) / static_cast<double>(k + 1);
  }
  EXPECT_NEAR(m.p_value, std::min(1.0, 2 * tail), 1e-10);
}

TEST(McNemar, ClearErrors) {
  testing::expect_error([] { mcnemar_exact_p(-1, 3); }, {"mcnemar_exact_p", "non-negative"});
  testing::expect_error([] { mcnemar_test({true, false}, {true}); }, {"mcnemar_test", "same images"});
  testing::expect_error([] { mcnemar_test({}, {}); }, {"mcnemar_test", "no images"});
}

}  // namespace
}  // namespace advgrad::eval
