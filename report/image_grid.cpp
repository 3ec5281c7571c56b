#include "advgrad/report/image_grid.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

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

// Where everything goes: each column as wide as its widest tile, caption line
// or header; each row as tall as its tiles and their captions, or as its
// wrapped label; the label column left of the grid; the colour bars right of it.
struct Layout {
  std::vector<double> col_w, col_x, tile_h, row_h;
  std::vector<std::vector<std::string>> labels;  // each row's label, wrapped
  double label_col = 0, grid_w = 0, body_h = 0;
  double bar_h = 0, top = 0, width = 0, height = 0;
};

std::vector<double> column_widths(const std::vector<std::vector<GridTile>>& rows, const ImageGridOptions& o,
                                  std::size_t columns) {
  std::vector<double> col_w(columns, 0.0);
  for (std::size_t j = 0; j < o.column_headers.size(); ++j) col_w[j] = measure_text(o.column_headers[j]).width;
  for (const std::vector<GridTile>& row : rows)
    for (std::size_t j = 0; j < row.size(); ++j) {
      col_w[j] = std::max(col_w[j], row[j].image.width() * o.scale);
      for (const CaptionLine& c : row[j].caption) col_w[j] = std::max(col_w[j], measure_text(c.text).width);
    }
  return col_w;
}

void measure_rows(const std::vector<std::vector<GridTile>>& rows, const ImageGridOptions& o, Layout& l) {
  const double line = measure_text("").height() + 1;
  l.tile_h.assign(rows.size(), 0.0);
  l.row_h.assign(rows.size(), 0.0);
  l.labels.assign(rows.size(), {});
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::size_t caption_lines = 0;
    for (const GridTile& t : rows[i]) {
      l.tile_h[i] = std::max(l.tile_h[i], t.image.height() * o.scale);
      caption_lines = std::max(caption_lines, t.caption.size());
    }
    if (!o.row_labels.empty() && !o.row_labels[i].empty()) l.labels[i] = wrap_text(o.row_labels[i], o.row_label_width);
    l.row_h[i] = std::max(l.tile_h[i] + (caption_lines > 0 ? 3 + static_cast<double>(caption_lines) * line : 0),
                          static_cast<double>(l.labels[i].size()) * line);
  }
}

// The grid's columns and rows, then the label column, the sizes of the whole,
// and the columns' left edges.
void measure_grid(const std::vector<std::vector<GridTile>>& rows, const ImageGridOptions& o, std::size_t columns,
                  Layout& l) {
  l.col_w = column_widths(rows, o, columns);
  measure_rows(rows, o, l);
  double label_w = 0;
  for (const std::vector<std::string>& label : l.labels) label_w = std::max(label_w, widest_text(label));
  l.label_col = label_w > 0 ? label_w + 12 : 0;
  for (double w : l.col_w) l.grid_w += w;
  l.grid_w += kColumnGap * static_cast<double>(columns - 1);
  for (double h : l.row_h) l.body_h += h;
  l.body_h += kRowGap * static_cast<double>(rows.size() - 1);
  l.col_x.assign(columns, kPad + l.label_col);
  for (std::size_t j = 1; j < columns; ++j) l.col_x[j] = l.col_x[j - 1] + l.col_w[j - 1] + kColumnGap;
}

Layout layout(const std::vector<std::vector<GridTile>>& rows, const ImageGridOptions& o, std::size_t columns) {
  Layout l;
  measure_grid(rows, o, columns, l);
  // Colour bars at the grid's right, as tall as the grid (within 100..260 px).
  l.bar_h = std::clamp(l.body_h, 100.0, 260.0);
  double bars_w = 0;
  for (const ColorBar& b : o.color_bars) bars_w += kBarGap + color_bar_width(b, l.bar_h);
  l.width = std::max(kPad + l.label_col + l.grid_w + bars_w + kPad, 200.0);
  const bool headers = std::any_of(o.column_headers.begin(), o.column_headers.end(),
                                   [](const std::string& h) { return !h.empty(); });
  l.top = kPad + title_height(o.title, l.width) + (headers ? measure_text("").height() + 6 : 0);
  l.height = l.top + std::max(l.body_h, l.bar_h) + kPad;
  return l;
}

void draw_column_headers(Figure& f, const std::vector<std::string>& headers, const Layout& l) {
  const double descent = measure_text("").descent;
  for (std::size_t j = 0; j < headers.size(); ++j)
    f.text({l.col_x[j] + l.col_w[j] / 2, l.top - 6 - descent}, headers[j], {.color = kMuted, .align = Align::Center});
}

// A tile's image centred on cx, its top at y, on whole CSS pixels so that the
// blocks' edges are device pixel edges at 100% and 200%; nothing if it is empty.
void draw_image(Figure& f, const Image& image, double cx, double y, double scale) {
  if (image.width() <= 0 || image.height() <= 0) return;
  const double w = image.width() * scale, h = image.height() * scale;
  const double x0 = std::round(cx - w / 2), y0 = std::round(y);
  f.pixels(image, x0, y0, w, h);
  f.stroke_rect(x0 - 0.5, y0 - 0.5, w + 1, h + 1, Color(kFrame.r, kFrame.g, kFrame.b, 0.6), 1);
}

// Row i with its top at y: the label's lines centred on the tiles, then each
// tile's image and caption.
void draw_row(Figure& f, const std::vector<GridTile>& row, std::size_t i, double y, const Layout& l, double scale) {
  const TextExtents text = measure_text("");
  const double line = text.height() + 1;
  const double label_top = y + (l.tile_h[i] - static_cast<double>(l.labels[i].size()) * line) / 2;
  for (std::size_t k = 0; k < l.labels[i].size(); ++k)
    f.text({kPad, std::max(y, label_top) + static_cast<double>(k) * line + text.ascent}, l.labels[i][k]);
  for (std::size_t j = 0; j < row.size(); ++j) {
    const GridTile& t = row[j];
    const double cx = l.col_x[j] + l.col_w[j] / 2;
    draw_image(f, t.image, cx, y, scale);
    for (std::size_t k = 0; k < t.caption.size(); ++k)
      f.text({cx, y + l.tile_h[i] + 3 + static_cast<double>(k) * line + text.ascent}, t.caption[k].text,
             {.color = t.caption[k].color, .align = Align::Center});
  }
}

// The colour bars side by side, starting `x` px from the left, their tops at `top`.
void draw_color_bars(Figure& f, const std::vector<ColorBar>& bars, double x, double top, double height) {
  for (const ColorBar& b : bars) {
    x += kBarGap;
    draw_color_bar(f, b, x, top, height);
    x += color_bar_width(b, height);
  }
}

}  // namespace

Figure image_grid(const std::vector<std::vector<GridTile>>& rows, const ImageGridOptions& o) {
  std::size_t columns = 0;
  for (const auto& row : rows) columns = std::max(columns, row.size());
  check_grid(rows, o, columns);
  const Layout l = layout(rows, o, columns);

  Figure f(l.width, l.height);
  draw_title(f, o.title);
  draw_column_headers(f, o.column_headers, l);
  double y = l.top;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    draw_row(f, rows[i], i, y, l, o.scale);
    y += l.row_h[i] + kRowGap;
  }
  draw_color_bars(f, o.color_bars, kPad + l.label_col + l.grid_w, l.top, l.bar_h);
  return f;
}

}  // namespace advgrad::report
