#include "training/natural_adversarial.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/grad_mode.h"
#include "core/ops/ops.h"
#include "training/bitmap_font.h"
#include "training/figures.h"

namespace advgrad::training {
namespace {

constexpr int kPad = 8, kGap = 12;
constexpr Rgb kInk{25, 25, 25}, kWrong{200, 30, 30};

std::string class_name(const Dataset& data, std::int64_t k) {
  return k >= 0 && k < static_cast<std::int64_t>(data.class_names.size()) ? data.class_names[k] : std::to_string(k);
}

}  // namespace

std::vector<NaturalAdversarial> mine_natural_adversarials(nn::Module& model, const Dataset& data,
                                                          double min_confidence, std::int64_t max_count,
                                                          std::int64_t batch_size) {
  const char* who = "mine_natural_adversarials";
  ADVGRAD_CHECK(data.size() > 0, who, ": data set '", data.name, "' is empty");
  ADVGRAD_CHECK(min_confidence > 0 && min_confidence <= 1, who, ": min_confidence must be in (0, 1], got ",
                min_confidence);
  ADVGRAD_CHECK(max_count >= 0, who, ": max_count must be >= 0 (0 = all), got ", max_count);
  ADVGRAD_CHECK(batch_size >= 1, who, ": batch_size must be >= 1, got ", batch_size);
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  std::vector<NaturalAdversarial> found;
  for (std::int64_t start = 0; start < data.size(); start += batch_size) {
    std::vector<std::int64_t> idx;
    for (std::int64_t i = start; i < std::min(data.size(), start + batch_size); ++i) idx.push_back(i);
    // The confidence of the prediction is its softmax probability, max_k p_k.
    const ValuesIndices top = max(softmax(model(data.images_tensor(idx)), 1), 1);
    const std::vector<double> p = top.values.to_double_vector();
    const std::vector<std::int64_t> pred = top.indices.to_int_vector();
    for (std::size_t k = 0; k < idx.size(); ++k) {
      const std::int64_t y = data.labels[idx[k]];
      if (pred[k] != y && p[k] >= min_confidence) found.push_back({idx[k], y, pred[k], p[k]});
    }
  }
  model.train(was_training);
  std::stable_sort(found.begin(), found.end(),
                   [](const NaturalAdversarial& a, const NaturalAdversarial& b) { return a.confidence > b.confidence; });
  if (max_count > 0 && static_cast<std::int64_t>(found.size()) > max_count) found.resize(static_cast<std::size_t>(max_count));
  return found;
}

Image natural_adversarial_grid(const Dataset& data, const std::vector<NaturalAdversarial>& found,
                               const NaturalAdversarialGridOptions& options) {
  const char* who = "natural_adversarial_grid";
  ADVGRAD_CHECK(options.scale >= 1 && options.columns >= 1, who, ": scale and columns must be >= 1, got ",
                options.scale, " and ", options.columns);
  std::vector<Image> tiles;
  std::vector<std::string> captions;
  for (const NaturalAdversarial& f : found) {
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

}  // namespace advgrad::training
