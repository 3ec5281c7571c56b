#pragma once
// Are two classifiers different on the same test images? Their accuracies'
// 95% intervals (eval/interval.h) treat the two measurements as independent,
// but when both models saw the same images most of the noise is shared: an
// image that is easy for one is easy for the other. McNemar's test (McNemar
// 1947) uses only the discordant images:
//
//   b = images the first model gets right and the second wrong
//   c = images the second gets right and the first wrong
//
// Under the null hypothesis (equal accuracy) each discordant image is a fair
// coin between the two, b ~ Binomial(b + c, 1/2). The exact two-sided
// p-value (Dietterich 1998 recommends the exact or corrected form for
// comparing classifiers) is
//
//   p = min(1, 2 * sum_{k=0}^{min(b,c)} C(b+c, k) / 2^(b+c)),
//
// and p = 1 when there are no discordant images.
#include <cstdint>
#include <vector>

namespace advgrad::eval {

struct McNemar {
  std::int64_t both_right = 0, both_wrong = 0;
  std::int64_t only_first = 0;   // b: the first model right, the second wrong
  std::int64_t only_second = 0;  // c: the second right, the first wrong
  double p_value = 1;            // exact two-sided
};

// The exact two-sided p-value for b and c discordant counts. Throws
// advgrad::Error for a negative count.
double mcnemar_exact_p(std::int64_t b, std::int64_t c);

// The counts and p-value from each model's per-image correctness (same
// images, same order). Throws advgrad::Error when the sizes differ or are 0.
McNemar mcnemar_test(const std::vector<bool>& first_right, const std::vector<bool>& second_right);

}  // namespace advgrad::eval
