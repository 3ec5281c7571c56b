#include "advgrad/report/image_grid.h"

#include <algorithm>
#include <cmath>

#include "advgrad/core/error.h"

namespace advgrad::report {
namespace {

constexpr double kColumnGap = 16, kRowGap = 10, kBarGap = 20;

void check_grid(const std::vector<std::vector<GridTile>>& rows, const ImageGridOptions& o, std::size_t columns) {
  const char* who = "image_grid";
  ADVGRAD_CHECK(!rows.empty() && columns > 0, who, ": no tiles to draw");
  ADVGRAD_CHECK(std::isfinite(o.scale) && o.scale > 0 && o.scale <= 64, who, ": scale ", o.scale,
                " is outside (0, 64]");
  ADVGRAD_CHECK(std::isfinite(o.row_label_width) && o.row_label_width >= 40, who, ": row_label_width ",
                o.row_label_width, " is below 40 px");
  ADVGRAD_CHECK(o.column_headers.size() <= columns, who, ": ", o.column_headers.size(), " column headers for ",
                columns, " columns");
  ADVGRAD_CHECK(o.row_labels.empty() || o.row_labels.size() == rows.size(), who, ": ", o.row_labels.size(),
                " row labels for ", rows.size(), " rows");
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t j = 0; j < rows[i].size(); ++j) {
      const GridTile& t = rows[i][j];
      ADVGRAD_CHECK(t.caption.size() <= 2, who, ": tile (", i, ", ", j, ") has ", t.caption.size(),
                    " caption lines, at most 2");
      ADVGRAD_CHECK(t.image.width() * o.scale <= 8192 && t.image.height() * o.scale <= 8192, who, ": tile (", i, ", ",
                    j, ") is ", t.image.width(), "x", t.image.height(), " pixels, too large at scale ", o.scale);
    }
}

}  // namespace

Figure image_grid(const std::vector<std::vector<GridTile>>& rows, const ImageGridOptions& o) {
  std::size_t columns = 0;
  for (const auto& row : rows) columns = std::max(columns, row.size());
  check_grid(rows, o, columns);
  const TextExtents text = measure_text("");
  const double line = text.height() + 1;

  // Column widths, row heights and the label column, from what they hold.
  std::vector<double> col_w(columns, 0.0), tile_h(rows.size(), 0.0), row_h(rows.size(), 0.0);
  for (std::size_t j = 0; j < o.column_headers.size(); ++j) col_w[j] = measure_text(o.column_headers[j]).width;
  std::vector<std::vector<std::string>> labels(rows.size());
  double label_w = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::size_t caption_lines = 0;
    for (std::size_t j = 0; j < rows[i].size(); ++j) {
      const GridTile& t = rows[i][j];
      col_w[j] = std::max(col_w[j], t.image.width() * o.scale);
      for (const CaptionLine& c : t.caption) col_w[j] = std::max(col_w[j], measure_text(c.text).width);
      tile_h[i] = std::max(tile_h[i], t.image.height() * o.scale);
      caption_lines = std::max(caption_lines, t.caption.size());
    }
    if (!o.row_labels.empty() && !o.row_labels[i].empty()) labels[i] = wrap_text(o.row_labels[i], o.row_label_width);
    for (const std::string& l : labels[i]) label_w = std::max(label_w, measure_text(l).width);
    row_h[i] = std::max(tile_h[i] + (caption_lines > 0 ? 3 + static_cast<double>(caption_lines) * line : 0),
                        static_cast<double>(labels[i].size()) * line);
  }
  const double label_col = label_w > 0 ? label_w + 12 : 0;
  double grid_w = 0, body_h = 0;
  for (double w : col_w) grid_w += w;
  grid_w += kColumnGap * static_cast<double>(columns - 1);
  for (double h : row_h) body_h += h;
  body_h += kRowGap * static_cast<double>(rows.size() - 1);

  // Colour bars at the grid's right, as tall as the grid (within 100..260 px).
  const double bar_h = std::clamp(body_h, 100.0, 260.0);
  double bars_w = 0;
  for (const ColorBar& b : o.color_bars) bars_w += kBarGap + color_bar_width(b, bar_h);
  const double width = std::max(kPad + label_col + grid_w + bars_w + kPad, 200.0);
  const bool headers = std::any_of(o.column_headers.begin(), o.column_headers.end(),
                                   [](const std::string& h) { return !h.empty(); });
  const double top = kPad + title_height(o.title, width) + (headers ? text.height() + 6 : 0);
  const double height = top + std::max(body_h, bar_h) + kPad;

  Figure f(width, height);
  draw_title(f, o.title);
  std::vector<double> col_x(columns, kPad + label_col);
  for (std::size_t j = 1; j < columns; ++j) col_x[j] = col_x[j - 1] + col_w[j - 1] + kColumnGap;
  for (std::size_t j = 0; j < o.column_headers.size(); ++j)
    f.text({col_x[j] + col_w[j] / 2, top - 6 - text.descent}, o.column_headers[j],
           {.color = kMuted, .align = Align::Center});

  double y = top;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    // The label's lines centred on the tiles.
    const double label_top = y + (tile_h[i] - static_cast<double>(labels[i].size()) * line) / 2;
    for (std::size_t l = 0; l < labels[i].size(); ++l)
      f.text({kPad, std::max(y, label_top) + static_cast<double>(l) * line + text.ascent}, labels[i][l]);
    for (std::size_t j = 0; j < rows[i].size(); ++j) {
      const GridTile& t = rows[i][j];
      const double cx = col_x[j] + col_w[j] / 2;
      if (t.image.width() > 0 && t.image.height() > 0) {
        // On whole CSS pixels, so that the blocks' edges are device pixel edges at 100% and 200%.
        const double w = t.image.width() * o.scale, h = t.image.height() * o.scale;
        const double x0 = std::round(cx - w / 2), y0 = std::round(y);
        f.pixels(t.image, x0, y0, w, h);
        f.stroke_rect(x0 - 0.5, y0 - 0.5, w + 1, h + 1, Color(kFrame.r, kFrame.g, kFrame.b, 0.6), 1);
      }
      for (std::size_t l = 0; l < t.caption.size(); ++l)
        f.text({cx, y + tile_h[i] + 3 + static_cast<double>(l) * line + text.ascent}, t.caption[l].text,
               {.color = t.caption[l].color, .align = Align::Center});
    }
    y += row_h[i] + kRowGap;
  }
  double bar_x = kPad + label_col + grid_w;
  for (const ColorBar& b : o.color_bars) {
    bar_x += kBarGap;
    draw_color_bar(f, b, bar_x, top, bar_h);
    bar_x += color_bar_width(b, bar_h);
  }
  return f;
}

}  // namespace advgrad::report
