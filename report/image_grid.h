#pragma once
// Grids of image tiles, each with a short caption under it (a colour per
// line: red when a prediction is wrong, say), optional column headers above
// and row labels to the left, and optional colour bars to the right. The
// adversarial, saliency and natural-adversarial figures are image grids, and
// so are views like PyTorch's FGSM tutorial (rows of "true -> predicted
// (confidence)" tiles at eps 0, .05, .1, ...).
#include <string>
#include <vector>

#include "advgrad/report/chart_parts.h"
#include "advgrad/report/figure.h"

namespace advgrad::report {

struct CaptionLine {
  std::string text{};
  Color color = kInk;
};
// An image (drawn pixelated, `scale` CSS px per pixel) and 0-2 caption lines;
// an empty image leaves its place blank.
struct GridTile {
  Image image{};
  std::vector<CaptionLine> caption{};
};

struct ImageGridOptions {
  std::string title{};
  std::vector<std::string> column_headers{};  // empty, or at most one per column
  std::vector<std::string> row_labels{};      // empty, or one per row (wrapped at row_label_width)
  double scale = 3;                           // CSS px per image pixel, in (0, 64]
  double row_label_width = 170;               // px
  std::vector<ColorBar> color_bars{};         // right of the grid, left to right
};
// rows: at least one row; rows may hold different numbers of tiles. Each
// column is as wide as its widest tile, caption line or header, so no text is
// cut or overlaps a neighbour. Throws advgrad::Error naming image_grid for no
// rows or tiles, more than 2 caption lines, mismatched labels or a bad scale.
Figure image_grid(const std::vector<std::vector<GridTile>>& rows, const ImageGridOptions& options);

}  // namespace advgrad::report
