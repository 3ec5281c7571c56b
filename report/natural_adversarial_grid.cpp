#include "advgrad/report/natural_adversarial_grid.h"

#include <algorithm>
#include <cstdio>

#include "advgrad/core/error.h"
#include "advgrad/report/chart_parts.h"
#include "advgrad/report/image_grid.h"
#include "advgrad/report/raster.h"

namespace advgrad::report {
namespace {

std::string class_name(const data::Dataset& data, std::int64_t k) {
  return k >= 0 && k < static_cast<std::int64_t>(data.class_names.size()) ? data.class_names[k] : std::to_string(k);
}

}  // namespace

Figure natural_adversarial_grid(const data::Dataset& data, const std::vector<eval::NaturalAdversarial>& found,
                                const NaturalAdversarialGridOptions& options) {
  const char* who = "natural_adversarial_grid";
  ADVGRAD_CHECK(options.scale >= 1 && options.scale <= 64 && options.columns >= 1, who,
                ": scale must be in [1, 64] and columns >= 1, got ", options.scale, " and ", options.columns);
  if (found.empty()) {  // the title and a line that says so
    const double width = std::max(320.0, measure_text(options.title, kTitleSize, true).width + 2 * kPad);
    const double title_h = title_height(options.title, width);
    Figure f(width, kPad + title_h + measure_text("").height() + kPad);
    draw_title(f, options.title);
    f.text({kPad, kPad + title_h + measure_text("").ascent}, "none found", {.color = kMuted});
    return f;
  }
  std::vector<std::vector<GridTile>> rows;
  for (std::size_t i = 0; i < found.size(); ++i) {
    const eval::NaturalAdversarial& f = found[i];
    ADVGRAD_CHECK(f.index >= 0 && f.index < data.size(), who, ": index ", f.index, " is outside the data set '",
                  data.name, "' of ", data.size(), " examples");
    char pct[16];
    std::snprintf(pct, sizeof pct, " %.0f%%", 100 * f.confidence);
    if (i % static_cast<std::size_t>(options.columns) == 0) rows.emplace_back();
    rows.back().push_back({tensor_to_image(data.images_tensor({f.index}).select(0, 0)),
                           {{"true " + class_name(data, f.label), kInk},
                            {"pred " + class_name(data, f.predicted) + pct, kWrong}}});
  }
  ImageGridOptions go;
  go.title = options.title;
  go.scale = options.scale;
  return image_grid(rows, go);
}

}  // namespace advgrad::report
