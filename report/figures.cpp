#include "advgrad/report/figures.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "advgrad/core/error.h"
#include "advgrad/report/bitmap_font.h"

namespace advgrad::report {
namespace {

constexpr int kPad = 8;
constexpr int kGap = 16;  // between columns, so that neighbouring captions read apart
constexpr int kMaxSide = 16384;  // the most pixels a figure may have along one side
constexpr Rgb kInk{25, 25, 25}, kMuted{100, 100, 100}, kWrong{200, 30, 30}, kRight{20, 130, 50};

std::uint8_t to_byte(double v) { return static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.0, 1.0) * 255.0)); }

Rgb mix(Rgb a, Rgb b, double t) {  // (1 - t) a + t b
  auto m = [t](std::uint8_t u, std::uint8_t v) { return static_cast<std::uint8_t>(std::lround(u + (v - u) * t)); };
  return {m(a.r, b.r), m(a.g, b.g), m(a.b, b.b)};
}

std::string format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

void check_scale(int scale, const char* who) { ADVGRAD_CHECK(scale >= 1, who, ": scale must be >= 1, got ", scale); }

void check_floating(const Tensor& t, const char* who, const char* name) {
  ADVGRAD_CHECK(t.defined(), who, ": ", name, " is undefined");
  ADVGRAD_CHECK(t.dtype() == DType::Float32 || t.dtype() == DType::Float64, who, ": ", name,
                " must be float32 or float64, got ", dtype_name(t.dtype()), " of shape ", shape_str(t.shape()));
}

void check_image_batch(const Tensor& t, const char* who, const char* name) {
  check_floating(t, who, name);
  ADVGRAD_CHECK(t.dim() == 4 && t.size(0) >= 1 && (t.size(1) == 1 || t.size(1) == 3) && t.size(2) >= 1 && t.size(3) >= 1,
                who, ": ", name, " has shape ", shape_str(t.shape()), ", expected [N, C, H, W] with N >= 1, C = 1 or 3");
}

void check_logits(const Tensor& t, std::int64_t n, const char* who, const char* name) {
  check_floating(t, who, name);
  ADVGRAD_CHECK(t.dim() == 2 && t.size(0) == n && t.size(1) >= 1, who, ": ", name, " has shape ", shape_str(t.shape()),
                ", expected [", n, ", classes]");
}

// A tile of h x w pixels, each a scale x scale block coloured by color_at(y, x).
template <typename F>
Image pixel_tile(std::int64_t h, std::int64_t w, int scale, const char* who, F color_at) {
  ADVGRAD_CHECK(h * scale <= kMaxSide && w * scale <= kMaxSide, who, ": a ", h, "x", w, " image at scale ", scale,
                " exceeds ", kMaxSide, " pixels per side");
  Image out(static_cast<int>(w) * scale, static_cast<int>(h) * scale);
  for (std::int64_t y = 0; y < h; ++y)
    for (std::int64_t x = 0; x < w; ++x)
      out.fill_rect(static_cast<int>(x) * scale, static_cast<int>(y) * scale, scale, scale, color_at(y, x));
  return out;
}

// The colour of pixel (y, x) of a [C, H, W] image at p, C = 1 or 3.
Rgb chw_color(const double* p, std::int64_t c, std::int64_t h, std::int64_t w, std::int64_t y, std::int64_t x,
              const char* who) {
  auto channel = [&](std::int64_t ch) {
    const double v = p[(ch * h + y) * w + x];
    ADVGRAD_CHECK(std::isfinite(v), who, ": non-finite pixel value ", v, " at channel ", ch, ", (", y, ", ", x, ")");
    return to_byte(v);
  };
  if (c == 1) {
    const std::uint8_t g = channel(0);
    return {g, g, g};
  }
  return {channel(0), channel(1), channel(2)};
}

// ---- grid layout shared by the adversarial and saliency figures ------------------

struct Caption {
  std::string text;
  Rgb color = kInk;
};
struct Cell {
  Image tile;
  std::vector<Caption> captions;  // lines under the tile
};
struct Row {
  std::string label;  // drawn left of the row; empty for none
  std::vector<Cell> cells;
};

// Title (font scale 2), column headers, then one row per entry. Each column is
// as wide as its widest tile, caption or header, so that no text is cut.
Image compose_grid(const std::string& title, const std::vector<std::string>& headers, const std::vector<Row>& rows) {
  const int line = text_height() + 3;
  std::vector<int> col_w(headers.size());
  for (std::size_t j = 0; j < headers.size(); ++j) col_w[j] = text_width(headers[j]);
  int label_w = 0, tile_h = 0;
  std::size_t caption_lines = 0;
  for (const Row& r : rows) {
    label_w = std::max(label_w, text_width(r.label));
    for (std::size_t j = 0; j < r.cells.size(); ++j) {
      const Cell& c = r.cells[j];
      col_w[j] = std::max(col_w[j], c.tile.width());
      for (const Caption& cap : c.captions) col_w[j] = std::max(col_w[j], text_width(cap.text));
      caption_lines = std::max(caption_lines, c.captions.size());
      tile_h = std::max(tile_h, c.tile.height());
    }
  }
  const int label_col = label_w > 0 ? label_w + kPad : 0;
  int width = kPad + label_col;
  for (int w : col_w) width += w + kGap;
  width += kPad - kGap;
  if (!title.empty()) width = std::max(width, text_width(title, 2) + 2 * kPad);
  const int title_h = title.empty() ? 0 : text_height(2) + kPad;
  const int row_h = tile_h + static_cast<int>(caption_lines) * line + kPad;
  const int top = kPad + title_h + line;
  Image out(width, top + static_cast<int>(rows.size()) * row_h);

  if (!title.empty()) draw_text(out, (width - text_width(title, 2)) / 2, kPad, title, kInk, 2);
  std::vector<int> col_x(headers.size());
  for (std::size_t j = 0, x = kPad + label_col; j < headers.size(); x += col_w[j] + kGap, ++j) {
    col_x[j] = static_cast<int>(x);
    draw_text(out, col_x[j] + (col_w[j] - text_width(headers[j])) / 2, kPad + title_h, headers[j], kMuted);
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const int y0 = top + static_cast<int>(i) * row_h;
    draw_text(out, kPad, y0 + (tile_h - text_height()) / 2, rows[i].label, kInk);
    for (std::size_t j = 0; j < rows[i].cells.size(); ++j) {
      const Cell& c = rows[i].cells[j];
      out.blit(c.tile, col_x[j] + (col_w[j] - c.tile.width()) / 2, y0);
      for (std::size_t k = 0; k < c.captions.size(); ++k)
        draw_text(out, col_x[j] + (col_w[j] - text_width(c.captions[k].text)) / 2,
                  y0 + tile_h + 2 + static_cast<int>(k) * line, c.captions[k].text, c.captions[k].color);
    }
  }
  return out;
}

struct Top1 {
  std::int64_t index;
  double probability;
};

// argmax and its softmax probability of one row of logits.
Top1 top1(const double* logits, std::int64_t k, const char* who, const char* name, std::int64_t row) {
  std::int64_t best = 0;
  for (std::int64_t j = 0; j < k; ++j) {
    ADVGRAD_CHECK(std::isfinite(logits[j]), who, ": ", name, " has a non-finite value in row ", row);
    if (logits[j] > logits[best]) best = j;
  }
  double total = 0;
  for (std::int64_t j = 0; j < k; ++j) total += std::exp(logits[j] - logits[best]);
  return {best, 1.0 / total};
}

}  // namespace

Rgb diverging_color(double t) {
  t = std::clamp(std::isnan(t) ? 0.0 : t, -1.0, 1.0);
  return t >= 0 ? mix({255, 255, 255}, {200, 20, 20}, t) : mix({255, 255, 255}, {20, 60, 210}, -t);
}

Rgb heat_color(double t) {
  t = std::clamp(std::isnan(t) ? 0.0 : t, 0.0, 1.0) * 3;
  if (t < 1) return mix({0, 0, 0}, {220, 0, 0}, t);
  if (t < 2) return mix({220, 0, 0}, {255, 220, 0}, t - 1);
  return mix({255, 220, 0}, {255, 255, 255}, t - 2);
}

Image tensor_to_image(const Tensor& image_chw, int scale) {
  const char* who = "tensor_to_image";
  check_floating(image_chw, who, "image");
  ADVGRAD_CHECK(image_chw.dim() == 3 && (image_chw.size(0) == 1 || image_chw.size(0) == 3) && image_chw.size(1) >= 1 &&
                    image_chw.size(2) >= 1,
                who, ": image has shape ", shape_str(image_chw.shape()), ", expected [C, H, W] with C = 1 or 3");
  check_scale(scale, who);
  const std::vector<double> v = image_chw.to_double_vector();
  const std::int64_t c = image_chw.size(0), h = image_chw.size(1), w = image_chw.size(2);
  return pixel_tile(h, w, scale, who, [&](std::int64_t y, std::int64_t x) { return chw_color(v.data(), c, h, w, y, x, who); });
}

Image adversarial_grid(const Tensor& x, const Tensor& x_adv, const Tensor& labels, const Tensor& clean_logits,
                       const Tensor& adv_logits, const std::vector<std::string>& class_names,
                       const AdversarialGridOptions& options) {
  const char* who = "adversarial_grid";
  check_image_batch(x, who, "x");
  check_image_batch(x_adv, who, "x_adv");
  ADVGRAD_CHECK(x_adv.shape() == x.shape(), who, ": x_adv has shape ", shape_str(x_adv.shape()), " but x has ",
                shape_str(x.shape()));
  const std::int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), hw = h * w;
  ADVGRAD_CHECK(labels.defined() && labels.dim() == 1 && labels.size(0) == n, who, ": labels has shape ",
                labels.defined() ? shape_str(labels.shape()) : "(undefined)", ", expected [", n, "] for x of shape ",
                shape_str(x.shape()));
  check_logits(clean_logits, n, who, "clean_logits");
  check_logits(adv_logits, n, who, "adv_logits");
  const std::int64_t k = clean_logits.size(1);
  ADVGRAD_CHECK(adv_logits.size(1) == k, who, ": adv_logits has shape ", shape_str(adv_logits.shape()),
                " but clean_logits has ", shape_str(clean_logits.shape()));
  ADVGRAD_CHECK(class_names.empty() || static_cast<std::int64_t>(class_names.size()) == k, who, ": ",
                class_names.size(), " class names for logits of shape ", shape_str(clean_logits.shape()));
  check_scale(options.scale, who);
  ADVGRAD_CHECK(options.max_rows >= 1, who, ": max_rows must be >= 1, got ", options.max_rows);
  ADVGRAD_CHECK(std::isfinite(options.eps) && options.eps >= 0, who, ": eps must be finite and >= 0, got ", options.eps);

  // Only the rows shown are copied to the host.
  const std::int64_t rows = std::min(n, options.max_rows);
  const std::vector<double> xs = x.narrow(0, 0, rows).to_double_vector();
  const std::vector<double> xa = x_adv.narrow(0, 0, rows).to_double_vector();
  const std::vector<std::int64_t> ys = labels.narrow(0, 0, rows).to_int_vector();
  const std::vector<double> cl = clean_logits.narrow(0, 0, rows).to_double_vector();
  const std::vector<double> al = adv_logits.narrow(0, 0, rows).to_double_vector();
  auto name = [&](std::int64_t cls) { return class_names.empty() ? std::to_string(cls) : class_names[cls]; };
  auto percent = [](double p) { return format("%.0f%%", 100 * p); };

  std::vector<Row> grid;
  for (std::int64_t i = 0; i < rows; ++i) {
    const std::int64_t y = ys[i];
    ADVGRAD_CHECK(y >= 0 && y < k, who, ": label ", y, " of example ", i, " is outside [0, ", k, ")");
    const Top1 clean = top1(&cl[i * k], k, who, "clean_logits", i), adv = top1(&al[i * k], k, who, "adv_logits", i);
    const double* xi = &xs[i * c * hw];
    const double* ai = &xa[i * c * hw];

    // Signed delta per pixel: the channel with the largest magnitude.
    std::vector<double> delta(hw, 0.0);
    double max_abs = 0;
    for (std::int64_t p = 0; p < hw; ++p) {
      for (std::int64_t ch = 0; ch < c; ++ch) {
        const double d = ai[ch * hw + p] - xi[ch * hw + p];
        ADVGRAD_CHECK(std::isfinite(d), who, ": non-finite value in x or x_adv of example ", i);
        if (std::fabs(d) > std::fabs(delta[p])) delta[p] = d;
      }
      max_abs = std::max(max_abs, std::fabs(delta[p]));
    }
    const double range = options.eps > 0 ? options.eps : max_abs;
    const std::string scale_text =
        options.eps > 0 ? "x 1/eps, eps=" + format("%.3g", options.eps) : "max |d| = " + format("%.3g", max_abs);

    Row row;
    row.cells.push_back({pixel_tile(h, w, options.scale, who, [&](std::int64_t yy, std::int64_t xx) {
                           return chw_color(xi, c, h, w, yy, xx, who);
                         }),
                         {{"true: " + name(y) + " / pred: " + name(clean.index) + " " + percent(clean.probability),
                           clean.index == y ? kInk : kWrong}}});
    row.cells.push_back({pixel_tile(h, w, options.scale, who, [&](std::int64_t yy, std::int64_t xx) {
                           return diverging_color(range > 0 ? delta[yy * w + xx] / range : 0.0);
                         }),
                         {{scale_text, kMuted}}});
    row.cells.push_back({pixel_tile(h, w, options.scale, who, [&](std::int64_t yy, std::int64_t xx) {
                           return chw_color(ai, c, h, w, yy, xx, who);
                         }),
                         {{"pred: " + name(adv.index) + " " + percent(adv.probability), adv.index == y ? kRight : kWrong}}});
    grid.push_back(std::move(row));
  }
  return compose_grid(options.title, {"clean", "perturbation", "adversarial"}, grid);
}

Image saliency_figure(const Tensor& x, const Tensor& maps, const std::vector<std::string>& row_labels,
                      const SaliencyFigureOptions& options) {
  const char* who = "saliency_figure";
  check_image_batch(x, who, "x");
  check_floating(maps, who, "maps");
  const std::int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), hw = h * w;
  const bool shape_ok = (maps.dim() == 4 && maps.size(0) == n && maps.size(1) >= 1 && maps.size(2) == h && maps.size(3) == w) ||
                        (maps.dim() == 3 && maps.size(0) == n && maps.size(1) == h && maps.size(2) == w);
  ADVGRAD_CHECK(shape_ok, who, ": maps has shape ", shape_str(maps.shape()), ", expected [", n, ", C', ", h, ", ", w,
                "] or [", n, ", ", h, ", ", w, "] for x of shape ", shape_str(x.shape()));
  ADVGRAD_CHECK(row_labels.empty() || static_cast<std::int64_t>(row_labels.size()) == n, who, ": ", row_labels.size(),
                " row labels for ", n, " examples (x of shape ", shape_str(x.shape()), ")");
  check_scale(options.scale, who);
  const std::int64_t mc = maps.dim() == 4 ? maps.size(1) : 1;
  const std::vector<double> xs = x.to_double_vector(), ms = maps.to_double_vector();

  std::vector<Row> grid;
  for (std::int64_t i = 0; i < n; ++i) {
    std::vector<double> heat(hw, 0.0);
    for (std::int64_t ch = 0; ch < mc; ++ch)
      for (std::int64_t p = 0; p < hw; ++p) {
        const double s = ms[(i * mc + ch) * hw + p];
        ADVGRAD_CHECK(std::isfinite(s), who, ": non-finite saliency in example ", i);
        heat[p] += std::fabs(s);
      }
    // The 99th percentile, not the max: one extreme pixel would otherwise leave
    // the rest of the map black. Falls back to the max when most of it is zero.
    std::vector<double> sorted = heat;
    const auto at = sorted.begin() + static_cast<std::ptrdiff_t>(0.99 * static_cast<double>(hw - 1));
    std::nth_element(sorted.begin(), at, sorted.end());
    double norm = *at;
    if (norm <= 0) norm = *std::max_element(heat.begin(), heat.end());
    for (double& v : heat) v = norm > 0 ? std::min(v / norm, 1.0) : 0.0;

    const double* xi = &xs[i * c * hw];
    Row row{row_labels.empty() ? std::string() : row_labels[i], {}};
    row.cells.push_back({pixel_tile(h, w, options.scale, who, [&](std::int64_t y, std::int64_t xx) {
                           return chw_color(xi, c, h, w, y, xx, who);
                         }), {}});
    row.cells.push_back({pixel_tile(h, w, options.scale, who, [&](std::int64_t y, std::int64_t xx) {
                           return heat_color(heat[y * w + xx]);
                         }), {}});
    // Opacity follows the saliency, so unimportant pixels show the image.
    row.cells.push_back({pixel_tile(h, w, options.scale, who, [&](std::int64_t y, std::int64_t xx) {
                           const double t = heat[y * w + xx];
                           return mix(chw_color(xi, c, h, w, y, xx, who), heat_color(t), 0.8 * t);
                         }), {}});
    grid.push_back(std::move(row));
  }
  return compose_grid(options.title, {"image", "saliency |s|", "overlay"}, grid);
}

}  // namespace advgrad::report
