// How the report words its numbers: intervals, and differences called only
// when the intervals separate.
#include "advgrad/workshop/report_text.h"
#include "testing.h"

namespace advgrad::workshop {
namespace {

TEST(ReportText, AccuracyWithItsInterval) {
  EXPECT_EQ(accuracy_text(0.8, 10), "80.0% [49.0, 94.3]");
  EXPECT_EQ(accuracy_text(0.8, 0), "80.0%") << "no count recorded: no interval invented";
}

TEST(ReportText, CallsADifferenceOnlyWhenTheIntervalsSeparate) {
  const Measured pgd_at{"PGD-AT", 0.62, 300}, baseline{"the baseline", 0.18, 300}, close{"FGSM-RS", 0.58, 300};
  EXPECT_EQ(compare(pgd_at, baseline), 1);
  EXPECT_EQ(compare(baseline, pgd_at), -1);
  EXPECT_EQ(compare(pgd_at, close), 0);
  EXPECT_EQ(compare_text(pgd_at, baseline), "PGD-AT (62.0% [56.4, 67.3]) is higher than the baseline (18.0% [14.1, 22.7])");
  EXPECT_NE(compare_text(baseline, pgd_at).find("is lower than"), std::string::npos);
  EXPECT_NE(compare_text(pgd_at, close).find("cannot be told apart"), std::string::npos);
  // Without counts nothing is claimed.
  EXPECT_EQ(compare({"a", 0.9, 0}, {"b", 0.1, 0}), 0);
}

}  // namespace
}  // namespace advgrad::workshop
