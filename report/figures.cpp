#include "advgrad/report/figures.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "advgrad/core/error.h"
#include "advgrad/report/image_grid.h"
#include "advgrad/report/raster.h"

namespace advgrad::report {
namespace {

std::string format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

void check_scale(int scale, const char* who) {
  ADVGRAD_CHECK(scale >= 1 && scale <= 64, who, ": scale must be in [1, 64], got ", scale);
}

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

// An h x w raster whose pixel (y, x) is color_at(y * w + x).
template <typename F>
Image raster(std::int64_t h, std::int64_t w, F color_at) {
  Image out(static_cast<int>(w), static_cast<int>(h));
  for (std::int64_t y = 0; y < h; ++y)
    for (std::int64_t x = 0; x < w; ++x) out.set(static_cast<int>(x), static_cast<int>(y), color_at(y * w + x));
  return out;
}

Rgb mix(Rgb a, Rgb b, double t) {  // (1 - t) a + t b
  auto m = [t](std::uint8_t u, std::uint8_t v) { return static_cast<std::uint8_t>(std::lround(u + (v - u) * t)); };
  return {m(a.r, b.r), m(a.g, b.g), m(a.b, b.b)};
}

void check_adversarial_inputs(const Tensor& x, const Tensor& x_adv, const Tensor& labels, const Tensor& clean_logits,
                              const Tensor& adv_logits, const std::vector<std::string>& class_names,
                              const AdversarialGridOptions& options) {
  const char* who = "adversarial_grid";
  check_image_batch(x, who, "x");
  check_image_batch(x_adv, who, "x_adv");
  ADVGRAD_CHECK(x_adv.shape() == x.shape(), who, ": x_adv has shape ", shape_str(x_adv.shape()), " but x has ",
                shape_str(x.shape()));
  const std::int64_t n = x.size(0);
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
  ADVGRAD_CHECK(std::isfinite(options.delta_denominator) && options.delta_denominator >= 0, who,
                ": delta_denominator must be finite and >= 0, got ", options.delta_denominator);
  ADVGRAD_CHECK(options.targets.empty() || static_cast<std::int64_t>(options.targets.size()) == n, who, ": ",
                options.targets.size(), " targets for ", n, " examples");
  for (std::int64_t t : options.targets)
    ADVGRAD_CHECK(t >= 0 && t < k, who, ": target ", t, " is outside [0, ", k, ")");
}

// The first `rows` examples, copied to the host (only the rows shown are).
struct Examples {
  Tensor x, adv;  // [rows, C, H, W], still on their device
  std::vector<double> xs, xa, clean_logits, adv_logits;
  std::vector<std::int64_t> labels;
  std::int64_t classes = 0;
};
Examples first_examples(const Tensor& x, const Tensor& x_adv, const Tensor& labels, const Tensor& clean_logits,
                        const Tensor& adv_logits, std::int64_t rows) {
  Examples e;
  e.x = x.narrow(0, 0, rows), e.adv = x_adv.narrow(0, 0, rows);
  e.xs = e.x.to_double_vector(), e.xa = e.adv.to_double_vector();
  e.labels = labels.narrow(0, 0, rows).to_int_vector();
  e.clean_logits = clean_logits.narrow(0, 0, rows).to_double_vector();
  e.adv_logits = adv_logits.narrow(0, 0, rows).to_double_vector();
  e.classes = clean_logits.size(1);
  return e;
}

// delta = x_adv - x of example i, per pixel the channel with the largest
// magnitude (signed), so that an L-inf step does not cancel out across
// channels; and the largest |delta|.
struct Perturbation {
  std::vector<double> delta;
  double max_abs = 0;
};
Perturbation perturbation(const Examples& e, std::int64_t i) {
  const std::int64_t c = e.x.size(1), hw = e.x.size(2) * e.x.size(3);
  const double* xi = &e.xs[i * c * hw];
  const double* ai = &e.xa[i * c * hw];
  Perturbation p{std::vector<double>(hw, 0.0), 0};
  for (std::int64_t q = 0; q < hw; ++q) {
    for (std::int64_t ch = 0; ch < c; ++ch) {
      const double d = ai[ch * hw + q] - xi[ch * hw + q];
      ADVGRAD_CHECK(std::isfinite(d), "adversarial_grid: non-finite value in x or x_adv of example ", i);
      if (std::fabs(d) > std::fabs(p.delta[q])) p.delta[q] = d;
    }
    p.max_abs = std::max(p.max_abs, std::fabs(p.delta[q]));
  }
  return p;
}

// Example i's tiles: clean (true label, clean prediction), perturbation (its
// largest |delta|) and adversarial (adversarial prediction).
std::vector<GridTile> adversarial_row(const Examples& e, std::int64_t i, const std::vector<std::string>& class_names,
                                      const AdversarialGridOptions& options) {
  const char* who = "adversarial_grid";
  const std::int64_t k = e.classes, y = e.labels[i];
  ADVGRAD_CHECK(y >= 0 && y < k, who, ": label ", y, " of example ", i, " is outside [0, ", k, ")");
  const Top1 clean = top1(&e.clean_logits[i * k], k, who, "clean_logits", i);
  const Top1 adv = top1(&e.adv_logits[i * k], k, who, "adv_logits", i);
  const Perturbation d = perturbation(e, i);
  const double range = options.eps > 0 ? options.eps : d.max_abs;
  auto name = [&](std::int64_t cls) { return class_names.empty() ? std::to_string(cls) : class_names[cls]; };
  auto percent = [](double p) { return format("%.0f%%", 100 * p); };

  std::vector<GridTile> row;
  row.push_back({tensor_to_image(e.x.select(0, i)),
                 {{options.label_word + " " + name(y), kInk},
                  {"pred " + name(clean.index) + " " + percent(clean.probability), clean.index == y ? kInk : kWrong}}});
  row.push_back({raster(e.x.size(2), e.x.size(3),
                        [&](std::int64_t p) { return diverging_color(range > 0 ? d.delta[p] / range : 0.0); }),
                 {{delta_caption(d.max_abs, options.delta_denominator), kMuted}}});
  std::vector<CaptionLine> adv_caption{
      {"pred " + name(adv.index) + " " + percent(adv.probability), adv.index == y ? kRight : kWrong}};
  if (!options.targets.empty()) adv_caption.push_back({"target " + name(options.targets[i]), kMuted});
  row.push_back({tensor_to_image(e.adv.select(0, i)), adv_caption});
  return row;
}

void check_saliency_inputs(const Tensor& x, const Tensor& maps, const std::vector<std::string>& row_labels,
                           const SaliencyFigureOptions& options) {
  const char* who = "saliency_figure";
  check_image_batch(x, who, "x");
  check_floating(maps, who, "maps");
  const std::int64_t n = x.size(0), h = x.size(2), w = x.size(3);
  const bool shape_ok = (maps.dim() == 4 && maps.size(0) == n && maps.size(1) >= 1 && maps.size(2) == h && maps.size(3) == w) ||
                        (maps.dim() == 3 && maps.size(0) == n && maps.size(1) == h && maps.size(2) == w);
  ADVGRAD_CHECK(shape_ok, who, ": maps has shape ", shape_str(maps.shape()), ", expected [", n, ", C', ", h, ", ", w,
                "] or [", n, ", ", h, ", ", w, "] for x of shape ", shape_str(x.shape()));
  ADVGRAD_CHECK(row_labels.empty() || static_cast<std::int64_t>(row_labels.size()) == n, who, ": ", row_labels.size(),
                " row labels for ", n, " examples (x of shape ", shape_str(x.shape()), ")");
  check_scale(options.scale, who);
}

// Example i's saliency: |s| summed over its mc channels, divided by its 99th
// percentile and clipped to 1. The percentile, not the max: one extreme pixel
// would otherwise leave the rest of the map black. Falls back to the max when
// most of it is zero.
std::vector<double> normalised_saliency(const std::vector<double>& ms, std::int64_t i, std::int64_t mc,
                                        std::int64_t hw) {
  std::vector<double> heat(hw, 0.0);
  for (std::int64_t ch = 0; ch < mc; ++ch)
    for (std::int64_t p = 0; p < hw; ++p) {
      const double s = ms[(i * mc + ch) * hw + p];
      ADVGRAD_CHECK(std::isfinite(s), "saliency_figure: non-finite saliency in example ", i);
      heat[p] += std::fabs(s);
    }
  std::vector<double> sorted = heat;
  const auto at = sorted.begin() + static_cast<std::ptrdiff_t>(0.99 * static_cast<double>(hw - 1));
  std::nth_element(sorted.begin(), at, sorted.end());
  double norm = *at;
  if (norm <= 0) norm = *std::max_element(heat.begin(), heat.end());
  for (double& v : heat) v = norm > 0 ? std::min(v / norm, 1.0) : 0.0;
  return heat;
}

// The image, its saliency as a heat map, and the heat map over the image with
// opacity following the saliency, so that unimportant pixels show the image.
std::vector<GridTile> saliency_row(const Image& image, const std::vector<double>& heat) {
  const std::int64_t h = image.height(), w = image.width();
  std::vector<GridTile> row;
  row.push_back({image, {}});
  row.push_back({raster(h, w, [&](std::int64_t p) { return heat_color(heat[p]); }), {}});
  row.push_back({raster(h, w,
                        [&](std::int64_t p) {
                          return mix(image.at(static_cast<int>(p % w), static_cast<int>(p / w)), heat_color(heat[p]),
                                     0.8 * heat[p]);
                        }),
                 {}});
  return row;
}

}  // namespace

std::string delta_caption(double max_abs_delta, double denominator) {
  return "max |δ| " + (denominator > 0 ? format("%.2f", max_abs_delta * denominator) + "/" + format("%g", denominator)
                                       : format("%.3g", max_abs_delta));
}

Figure adversarial_grid(const Tensor& x, const Tensor& x_adv, const Tensor& labels, const Tensor& clean_logits,
                        const Tensor& adv_logits, const std::vector<std::string>& class_names,
                        const AdversarialGridOptions& options) {
  check_adversarial_inputs(x, x_adv, labels, clean_logits, adv_logits, class_names, options);
  const std::int64_t rows = std::min(x.size(0), options.max_rows);
  const Examples examples = first_examples(x, x_adv, labels, clean_logits, adv_logits, rows);
  std::vector<std::vector<GridTile>> grid;
  for (std::int64_t i = 0; i < rows; ++i) grid.push_back(adversarial_row(examples, i, class_names, options));
  ImageGridOptions go;
  go.title = options.title;
  go.column_headers = {"clean", "perturbation δ", "adversarial"};
  go.scale = options.scale;
  // With a denominator the bar reads in the same units as the captions (±4 for
  // eps 4/255); the tiles' colours do not change, only the tick labels.
  const double den = options.delta_denominator;
  const std::string unit = den > 0 ? "δ = x_adv − x (in 1/" + format("%g", den) + ")" : "δ = x_adv − x (pixel units)";
  const double bar_range = den > 0 ? options.eps * den : options.eps;
  go.color_bars = {options.eps > 0 ? ColorBar{ColorMap::Diverging, -bar_range, bar_range, unit}
                                   : ColorBar{ColorMap::Diverging, -1, 1, "δ / max |δ| of its row"}};
  return image_grid(grid, go);
}

Figure saliency_figure(const Tensor& x, const Tensor& maps, const std::vector<std::string>& row_labels,
                       const SaliencyFigureOptions& options) {
  check_saliency_inputs(x, maps, row_labels, options);
  const std::int64_t n = x.size(0), hw = x.size(2) * x.size(3);
  const std::int64_t mc = maps.dim() == 4 ? maps.size(1) : 1;
  const std::vector<double> ms = maps.to_double_vector();
  std::vector<std::vector<GridTile>> grid;
  for (std::int64_t i = 0; i < n; ++i) {
    const std::vector<double> heat = normalised_saliency(ms, i, mc, hw);
    grid.push_back(saliency_row(tensor_to_image(x.select(0, i)), heat));
  }
  ImageGridOptions go;
  go.title = options.title;
  go.column_headers = {"image", "saliency |s|", "overlay"};
  go.row_labels = row_labels;
  go.scale = options.scale;
  go.color_bars = {ColorBar{ColorMap::Heat, 0, 1, "|s| / 99th percentile of its row"}};
  return image_grid(grid, go);
}

}  // namespace advgrad::report
