#include "advgrad/report/natural_adversarial_grid.h"

#include <algorithm>
#include <cstdio>

#include "advgrad/report/bitmap_font.h"
#include "advgrad/report/figures.h"

namespace advgrad::report {
namespace {

constexpr int kPad = 8, kGap = 12;
constexpr Rgb kInk{25, 25, 25}, kWrong{200, 30, 30};

std::string class_name(const data::Dataset& data, std::int64_t k) {
  return k >= 0 && k < static_cast<std::int64_t>(data.class_names.size()) ? data.class_names[k] : std::to_string(k);
}

}  // namespace

Image natural_adversarial_grid(const data::Dataset& data, const std::vector<eval::NaturalAdversarial>& found,
                               const NaturalAdversarialGridOptions& options) {
  const char* who = "natural_adversarial_grid";
  ADVGRAD_CHECK(options.scale >= 1 && options.columns >= 1, who, ": scale and columns must be >= 1, got ",
                options.scale, " and ", options.columns);
  std::vector<Image> tiles;
  std::vector<std::string> captions;
  for (const eval::NaturalAdversarial& f : found) {
    ADVGRAD_CHECK(f.index >= 0 && f.index < data.size(), who, ": index ", f.index, " is outside the data set '",
                  data.name, "' of ", data.size(), " examples");
    tiles.push_back(tensor_to_image(data.images_tensor({f.index}).select(0, 0), options.scale));
    char pct[16];
    std::snprintf(pct, sizeof pct, " %.0f%%", 100 * f.confidence);
    captions.push_back("true " + class_name(data, f.label) + ", pred " + class_name(data, f.predicted) + pct);
  }
  // Every cell is as wide as the widest tile or caption, so no caption is cut.
  int cell_w = text_width("none found"), tile_h = 0;
  for (std::size_t i = 0; i < tiles.size(); ++i) {
    cell_w = std::max({cell_w, tiles[i].width(), text_width(captions[i])});
    tile_h = std::max(tile_h, tiles[i].height());
  }
  const int cols = std::max(1, std::min(options.columns, static_cast<int>(tiles.size())));
  const int rows = tiles.empty() ? 1 : (static_cast<int>(tiles.size()) + cols - 1) / cols;
  const int cell_h = tile_h + text_height() + 4 + kPad;
  const int title_h = options.title.empty() ? 0 : text_height(2) + kPad;
  const int width = std::max(2 * kPad + cols * cell_w + (cols - 1) * kGap, text_width(options.title, 2) + 2 * kPad);
  Image out(width, kPad + title_h + rows * cell_h);
  if (!options.title.empty()) draw_text(out, (width - text_width(options.title, 2)) / 2, kPad, options.title, kInk, 2);
  if (tiles.empty()) draw_text(out, kPad, kPad + title_h, "none found", kInk);
  for (std::size_t i = 0; i < tiles.size(); ++i) {
    const int x0 = kPad + static_cast<int>(i % cols) * (cell_w + kGap);
    const int y0 = kPad + title_h + static_cast<int>(i / cols) * cell_h;
    out.blit(tiles[i], x0 + (cell_w - tiles[i].width()) / 2, y0);
    draw_text(out, x0 + (cell_w - text_width(captions[i])) / 2, y0 + tile_h + 2, captions[i], kWrong);
  }
  return out;
}

}  // namespace advgrad::report
