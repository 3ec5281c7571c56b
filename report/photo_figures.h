#pragma once
// The figures of `advgrad photos` (apps/cmd_photos.cpp): photos with
// captions (the confidently wrong ones), the corruption x severity heat maps
// of top-1 stability (eval/photo_robustness.h), and one photo under every
// corruption and severity (eval/photo_corruptions.h).
#include <cstdint>
#include <string>
#include <vector>

#include "advgrad/core/tensor.h"
#include "advgrad/eval/photo_robustness.h"
#include "advgrad/report/figure.h"
#include "advgrad/report/image_grid.h"

namespace advgrad::report {

struct CaptionedPhoto {
  Tensor image;                      // [C, H, W] in [0, 1], C = 1 or 3
  std::vector<CaptionLine> caption;  // 0-2 lines
};
// The photos in rows of `columns`, each drawn at `scale` CSS px per pixel,
// under a title; no photos gives the title and a "none found" line. Throws
// advgrad::Error naming photo_grid for columns < 1 (the image grid checks the rest).
Figure photo_grid(const std::vector<CaptionedPhoto>& photos, const std::string& title, int columns = 4,
                  double scale = 1);

// Which measure of a PhotoStability row a heat map shows.
enum class StabilityMeasure { Unchanged, CleanClassProb, Acceptable };
// Rows: the corruptions in the order of `rows`; columns: the severities that
// `rows` holds, ascending (a run at severities 1 and 5 shows two columns). Percentages on a white-to-blue scale
// from 0 to 100%. The clean row (severity 0) is left out; its value goes in
// the subtitle. Throws advgrad::Error naming stability_heat_map when `rows`
// holds no corrupted row.
Figure stability_heat_map(const std::vector<eval::PhotoStability>& rows, StabilityMeasure measure,
                          const std::string& title);

// `photo` under every corruption (rows) and severity (columns), at `scale` px
// per pixel; seed and index as eval::corrupt_photo; JPEG through
// imageio::jpeg_round_trip.
Figure corruption_examples(const Tensor& photo, const std::vector<std::string>& corruptions,
                           const std::vector<int>& severities, std::uint64_t seed, std::int64_t index,
                           const std::string& title, double scale = 0.5);

}  // namespace advgrad::report
