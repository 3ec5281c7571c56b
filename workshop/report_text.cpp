#include "advgrad/workshop/report_text.h"

#include "advgrad/eval/interval.h"
#include "advgrad/report/report.h"

namespace advgrad::workshop {

std::string accuracy_text(double accuracy, std::int64_t n) {
  if (n < 1) return report::format_percent(accuracy);
  return eval::format_with_interval(accuracy, eval::accuracy_interval(accuracy, n));
}

int compare(const Measured& a, const Measured& b) {
  if (a.n < 1 || b.n < 1) return 0;  // no counts: no claim
  const eval::Interval ia = eval::accuracy_interval(a.accuracy, a.n), ib = eval::accuracy_interval(b.accuracy, b.n);
  if (!eval::separated(ia, ib)) return 0;
  return a.accuracy > b.accuracy ? 1 : -1;
}

std::string compare_text(const Measured& a, const Measured& b) {
  const std::string ta = a.what + " (" + accuracy_text(a.accuracy, a.n) + ")";
  const std::string tb = b.what + " (" + accuracy_text(b.accuracy, b.n) + ")";
  switch (compare(a, b)) {
    case 1: return ta + " is higher than " + tb;
    case -1: return ta + " is lower than " + tb;
    default: return ta + " and " + tb + " cannot be told apart on these images (their 95% intervals overlap)";
  }
}

}  // namespace advgrad::workshop
