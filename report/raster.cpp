#include "advgrad/report/raster.h"

#include <algorithm>
#include <cmath>

#include "advgrad/core/error.h"

namespace advgrad::report {
namespace {

std::uint8_t to_byte(double v) { return static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.0, 1.0) * 255.0)); }

Rgb mix(Rgb a, Rgb b, double t) {  // (1 - t) a + t b
  auto m = [t](std::uint8_t u, std::uint8_t v) { return static_cast<std::uint8_t>(std::lround(u + (v - u) * t)); };
  return {m(a.r, b.r), m(a.g, b.g), m(a.b, b.b)};
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

Rgb map_color(ColorMap map, double u) {
  const double t = std::clamp(std::isnan(u) ? (map == ColorMap::Diverging ? 0.5 : 0.0) : u, 0.0, 1.0);
  switch (map) {
    case ColorMap::Diverging: return diverging_color(2 * t - 1);
    case ColorMap::Heat: return heat_color(t);
    case ColorMap::Blues:  // light enough at 0 to read dark text, dark enough at 1 for white text
      return t < 0.5 ? mix({247, 251, 255}, {107, 174, 214}, 2 * t) : mix({107, 174, 214}, {8, 48, 107}, 2 * t - 1);
  }
  return {};
}

Image tensor_to_image(const Tensor& image_chw) {
  const char* who = "tensor_to_image";
  ADVGRAD_CHECK(image_chw.defined(), who, ": image is undefined");
  ADVGRAD_CHECK(image_chw.dtype() == DType::Float32 || image_chw.dtype() == DType::Float64, who,
                ": image must be float32 or float64, got ", dtype_name(image_chw.dtype()));
  ADVGRAD_CHECK(image_chw.dim() == 3 && (image_chw.size(0) == 1 || image_chw.size(0) == 3) && image_chw.size(1) >= 1 &&
                    image_chw.size(2) >= 1 && image_chw.size(1) <= 16384 && image_chw.size(2) <= 16384,
                who, ": image has shape ", shape_str(image_chw.shape()),
                ", expected [C, H, W] with C = 1 or 3 and H, W in [1, 16384]");
  const std::vector<double> v = image_chw.to_double_vector();
  const std::int64_t c = image_chw.size(0), h = image_chw.size(1), w = image_chw.size(2);
  Image out(static_cast<int>(w), static_cast<int>(h));
  for (std::int64_t y = 0; y < h; ++y)
    for (std::int64_t x = 0; x < w; ++x) {
      std::uint8_t ch[3];
      for (std::int64_t k = 0; k < 3; ++k) {
        const double value = v[((c == 1 ? 0 : k) * h + y) * w + x];
        ADVGRAD_CHECK(std::isfinite(value), who, ": non-finite pixel value ", value, " at channel ", k, ", (", y, ", ",
                      x, ")");
        ch[k] = to_byte(value);
      }
      out.set(static_cast<int>(x), static_cast<int>(y), {ch[0], ch[1], ch[2]});
    }
  return out;
}

}  // namespace advgrad::report
