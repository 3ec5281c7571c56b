#include "advgrad/report/photo_figures.h"

#include <algorithm>
#include <cstdio>

#include "advgrad/core/error.h"
#include "advgrad/eval/photo_corruptions.h"
#include "advgrad/imageio/jpeg_encoder.h"
#include "advgrad/report/heat_map.h"
#include "advgrad/report/natural_adversarial_grid.h"
#include "advgrad/report/raster.h"

namespace advgrad::report {

Figure photo_grid(const std::vector<CaptionedPhoto>& photos, const std::string& title, int columns, double scale) {
  ADVGRAD_CHECK(columns >= 1, "photo_grid: columns must be >= 1, got ", columns);
  // The natural-adversarial grid draws the same "title + none found" page.
  if (photos.empty()) return natural_adversarial_grid(data::Dataset{}, {}, {.title = title});
  std::vector<std::vector<GridTile>> rows;
  for (std::size_t i = 0; i < photos.size(); ++i) {
    if (i % static_cast<std::size_t>(columns) == 0) rows.emplace_back();
    rows.back().push_back({tensor_to_image(photos[i].image), photos[i].caption});
  }
  ImageGridOptions go;
  go.title = title;
  go.scale = scale;
  return image_grid(rows, go);
}

Figure stability_heat_map(const std::vector<eval::PhotoStability>& rows, StabilityMeasure measure,
                          const std::string& title) {
  const auto value = [&](const eval::PhotoStability& r) {
    return measure == StabilityMeasure::Unchanged        ? r.unchanged
           : measure == StabilityMeasure::CleanClassProb ? r.clean_class_prob
                                                         : r.acceptable;
  };
  std::vector<std::string> names;
  std::string subtitle;
  for (const auto& r : rows) {
    if (r.severity == 0) {
      char clean[64];
      std::snprintf(clean, sizeof clean, " (clean: %.0f%%)", 100 * value(r));
      subtitle = clean;
    } else if (std::find(names.begin(), names.end(), r.corruption) == names.end()) {
      names.push_back(r.corruption);
    }
  }
  ADVGRAD_CHECK(!names.empty(), "stability_heat_map: no corrupted rows");
  // Columns: only the severities measured (a run at 1 and 5 must not show 2-4 as 0%).
  std::vector<int> severities;
  for (const auto& r : rows)
    if (r.severity >= 1 && std::find(severities.begin(), severities.end(), r.severity) == severities.end())
      severities.push_back(r.severity);
  std::sort(severities.begin(), severities.end());
  std::vector<std::string> columns;
  for (int s : severities) columns.push_back(std::to_string(s));
  std::vector<std::vector<double>> values(names.size(), std::vector<double>(severities.size(), 0.0));
  for (const auto& r : rows)
    if (r.severity >= 1)
      values[static_cast<std::size_t>(std::find(names.begin(), names.end(), r.corruption) - names.begin())]
            [static_cast<std::size_t>(std::find(severities.begin(), severities.end(), r.severity) - severities.begin())] =
                value(r);
  HeatMapOptions o;
  o.title = title + subtitle;
  o.x_label = "severity";
  o.y_label = "corruption";
  o.scale_label = measure == StabilityMeasure::Unchanged        ? "top-1 unchanged"
                  : measure == StabilityMeasure::CleanClassProb ? "p(clean top-1)"
                                                                : "top-1 acceptable";
  o.lo = 0, o.hi = 1;
  o.percent = true;
  return heat_map(values, names, columns, o);
}

Figure corruption_examples(const Tensor& photo, const std::vector<std::string>& corruptions,
                           const std::vector<int>& severities, std::uint64_t seed, std::int64_t index,
                           const std::string& title, double scale) {
  std::vector<std::vector<GridTile>> rows;
  for (const std::string& c : corruptions) {
    rows.emplace_back();
    for (int s : severities)
      rows.back().push_back({tensor_to_image(eval::corrupt_photo(photo, c, s, seed, index, imageio::jpeg_round_trip)),
                             {{eval::photo_corruption_setting(c, s), kMuted}}});
  }
  ImageGridOptions go;
  go.title = title;
  go.scale = scale;
  go.row_labels = corruptions;
  for (int s : severities) go.column_headers.push_back("severity " + std::to_string(s));
  go.row_label_width = 130;
  return image_grid(rows, go);
}

}  // namespace advgrad::report
