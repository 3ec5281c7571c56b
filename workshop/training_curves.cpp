#include "advgrad/workshop/training_curves.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "advgrad/eval/interval.h"
#include "advgrad/report/line_chart.h"

namespace advgrad::workshop {
namespace {

// A series over the epochs of `row`, with 95% bands when n > 0.
report::ChartSeries per_epoch(const std::string& name, const RobustRow& row, double EpochPoint::*field,
                              std::int64_t n) {
  report::ChartSeries s{name, {}, {}, {}, {}};
  for (const auto& h : row.history) {
    s.x.push_back(static_cast<double>(h.epoch));
    s.y.push_back(h.*field);
    if (n > 0) {
      const eval::Interval ci = eval::accuracy_interval(std::clamp(h.*field, 0.0, 1.0), n);
      s.y_lo.push_back(ci.lo);
      s.y_hi.push_back(ci.hi);
    }
  }
  return s;
}

report::ChartOptions epoch_options(const std::string& title, const std::string& y_label) {
  report::ChartOptions o;
  o.title = title;
  o.x_label = "epoch";
  o.y_label = y_label;
  o.intervals = report::IntervalStyle::Whiskers;
  return o;
}

void check_history(const RobustRow& row, const char* who) {
  ADVGRAD_CHECK(!row.history.empty(), who, ": model '", row.name, "' has no training history");
}

}  // namespace

std::vector<double> guard_pgd_accuracy(const RobustRow& row) {
  if (row.extra_json.empty()) return {};
  const auto e = nlohmann::json::parse(row.extra_json);
  return e.contains("guard_pgd_accuracy") ? e["guard_pgd_accuracy"].get<std::vector<double>>() : std::vector<double>{};
}

report::Figure accuracy_curves(const RobustRow& row, const std::string& title) {
  check_history(row, "accuracy_curves");
  std::vector<report::ChartSeries> series{per_epoch("training (running, on its own objective's batches)", row,
                                                    &EpochPoint::train_accuracy, 0),
                                          per_epoch("test, clean", row, &EpochPoint::test_accuracy, row.clean_count)};
  const std::vector<double> guard = guard_pgd_accuracy(row);
  if (!guard.empty() && guard.size() == row.history.size()) {
    report::ChartSeries g{"guard: PGD on held-out training images", {}, guard, {}, {}};
    for (const auto& h : row.history) g.x.push_back(static_cast<double>(h.epoch));
    series.push_back(std::move(g));
  }
  return report::line_chart(series, epoch_options(title, "accuracy"));
}

report::Figure loss_curves(const RobustRow& row, const std::string& title) {
  check_history(row, "loss_curves");
  const std::vector<report::ChartSeries> series{per_epoch("training loss", row, &EpochPoint::train_loss, 0),
                                                per_epoch("test loss (clean)", row, &EpochPoint::test_loss, 0)};
  report::ChartOptions o = epoch_options(title, "cross-entropy");
  o.y_percent = false;
  o.y_min = 0;
  o.y_max = 0;
  for (const auto& s : series)
    for (double v : s.y) o.y_max = std::max(o.y_max, v);
  o.y_max = o.y_max > 0 ? 1.1 * o.y_max : 1;
  return report::line_chart(series, o);
}

report::Figure test_accuracy_curves(const std::vector<RobustRow>& rows, const std::string& title) {
  std::vector<report::ChartSeries> series;
  for (const auto& r : rows)
    if (!r.failed && !r.history.empty()) series.push_back(per_epoch(r.name, r, &EpochPoint::test_accuracy, 0));
  ADVGRAD_CHECK(!series.empty(), "test_accuracy_curves: no model with a training history");
  report::ChartOptions o = epoch_options(title, "test accuracy (clean)");
  // Zoom on the models' range: epoch-to-epoch differences are a few points.
  double lo = 1, hi = 0;
  for (const auto& s : series)
    for (double v : s.y) lo = std::min(lo, v), hi = std::max(hi, v);
  o.y_min = std::max(0.0, std::floor((lo - 0.05) * 10) / 10);
  o.y_max = std::min(1.0, std::ceil((hi + 0.05) * 10) / 10);
  return report::line_chart(series, o);
}

}  // namespace advgrad::workshop
