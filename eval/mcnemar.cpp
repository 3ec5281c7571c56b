// McNemar's exact test on paired correctness (eval/mcnemar.h).
#include "advgrad/eval/mcnemar.h"

#include <algorithm>
#include <cmath>

#include "advgrad/core/error.h"

namespace advgrad::eval {

double mcnemar_exact_p(std::int64_t b, std::int64_t c) {
  ADVGRAD_CHECK(b >= 0 && c >= 0, "mcnemar_exact_p: discordant counts must be non-negative, got ", b, " and ", c);
  const std::int64_t n = b + c;
  if (n == 0) return 1.0;
  // The lower tail sum_{k<=m} C(n, k) 2^-n, each term in log space
  // (lgamma) so that n in the thousands neither overflows nor underflows.
  const std::int64_t m = std::min(b, c);
  const double log_half_n = static_cast<double>(n) * std::log(0.5);
  const double log_n_fact = std::lgamma(static_cast<double>(n) + 1);
  double tail = 0;
  for (std::int64_t k = 0; k <= m; ++k)
    tail += std::exp(log_n_fact - std::lgamma(static_cast<double>(k) + 1) - std::lgamma(static_cast<double>(n - k) + 1) +
                     log_half_n);
  return std::min(1.0, 2 * tail);
}

McNemar mcnemar_test(const std::vector<bool>& first_right, const std::vector<bool>& second_right) {
  ADVGRAD_CHECK(first_right.size() == second_right.size(), "mcnemar_test: the two models were scored on ",
                first_right.size(), " and ", second_right.size(), " images; they must be the same images");
  ADVGRAD_CHECK(!first_right.empty(), "mcnemar_test: no images");
  McNemar m;
  for (std::size_t i = 0; i < first_right.size(); ++i) {
    if (first_right[i] && second_right[i]) ++m.both_right;
    else if (first_right[i]) ++m.only_first;
    else if (second_right[i]) ++m.only_second;
    else ++m.both_wrong;
  }
  m.p_value = mcnemar_exact_p(m.only_first, m.only_second);
  return m;
}

}  // namespace advgrad::eval
