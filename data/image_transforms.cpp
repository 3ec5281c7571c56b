#include "advgrad/data/image_transforms.h"

#include <algorithm>
#include <cmath>

#include "advgrad/core/error.h"

namespace advgrad::data {
namespace {

// The filter's support R: k(t) = 0 for |t| >= R.
double filter_support(ResizeFilter filter) { return filter == ResizeFilter::Bilinear ? 1.0 : 2.0; }

// Keys' cubic convolution kernel with a = -0.5 (Keys 1981; Pillow's bicubic).
double keys_cubic(double t) {
  constexpr double a = -0.5;
  t = std::fabs(t);
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0;
}

// A floating image's sizes: the last two dimensions and the planes before them.
struct Planes {
  std::int64_t count = 1, height = 0, width = 0;
};

Planes check_image(const Tensor& image, const char* op) {
  const Shape& s = image.shape();
  ADVGRAD_CHECK(is_floating(image.dtype()) && (s.size() == 3 || s.size() == 4), op, ": image has shape ", shape_str(s),
                " and dtype ", dtype_name(image.dtype()),
                "; expected a float32 or float64 [C, H, W] or [N, C, H, W] tensor");
  Planes p;
  p.height = s[s.size() - 2];
  p.width = s[s.size() - 1];
  p.count = p.height * p.width == 0 ? 0 : image.numel() / (p.height * p.width);
  ADVGRAD_CHECK(p.count > 0, op, ": image of shape ", shape_str(s), " is empty");
  return p;
}

// Resamples the middle axis of a row-major [outer, in_len, inner] array:
//   out[o][i][r] = sum_k w[i][k] in[o][first[i] + k][r].
// The width pass is outer = planes * H, inner = 1; the height pass is
// outer = planes, inner = the new width.
std::vector<double> resample_axis(const std::vector<double>& in, std::int64_t outer, std::int64_t in_len,
                                  std::int64_t inner, const ResampleWeights& w) {
  const auto out_len = static_cast<std::int64_t>(w.first.size());
  std::vector<double> out(static_cast<std::size_t>(outer * out_len * inner), 0.0);
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t i = 0; i < out_len; ++i) {
      double* dst = &out[static_cast<std::size_t>((o * out_len + i) * inner)];
      for (std::int64_t k = 0; k < w.count[i]; ++k) {
        const double wk = w.weights[static_cast<std::size_t>(i * w.taps + k)];
        const double* src = &in[static_cast<std::size_t>((o * in_len + w.first[i] + k) * inner)];
        for (std::int64_t r = 0; r < inner; ++r) dst[r] += wk * src[r];
      }
    }
  return out;
}

// Python's round() of n / 2 for n >= 0: halves go to the even neighbour.
std::int64_t half_rounded_to_even(std::int64_t n) {
  const std::int64_t q = n / 2;
  return n % 2 == 0 || q % 2 == 0 ? q : q + 1;
}

}  // namespace

double resize_filter(ResizeFilter filter, double t) {
  return filter == ResizeFilter::Bilinear ? std::max(0.0, 1.0 - std::fabs(t)) : keys_cubic(t);
}

ResampleWeights resample_weights(std::int64_t in_size, std::int64_t out_size, ResizeFilter filter) {
  ADVGRAD_CHECK(in_size > 0 && out_size > 0, "resample_weights: sizes ", in_size, " -> ", out_size,
                " must be positive");
  const double scale = static_cast<double>(in_size) / static_cast<double>(out_size);
  const double stretch = std::max(scale, 1.0);  // f: widens the filter when shrinking
  const double support = filter_support(filter) * stretch;
  ResampleWeights w;
  // hi - lo <= floor(c + r + 0.5) - floor(c - r + 0.5) <= ceil(2 r) < taps: every row fits.
  w.taps = static_cast<std::int64_t>(std::ceil(support)) * 2 + 1;
  w.weights.assign(static_cast<std::size_t>(out_size * w.taps), 0.0);
  for (std::int64_t i = 0; i < out_size; ++i) {
    const double centre = (static_cast<double>(i) + 0.5) * scale;
    // (Pillow truncates centre -/+ support + 0.5 towards zero, then clips.)
    const auto lo = std::max<std::int64_t>(static_cast<std::int64_t>(centre - support + 0.5), 0);
    const auto hi = std::min<std::int64_t>(static_cast<std::int64_t>(centre + support + 0.5), in_size);
    double* wi = &w.weights[static_cast<std::size_t>(i * w.taps)];
    double sum = 0;
    for (std::int64_t j = lo; j < hi; ++j) {
      wi[j - lo] = resize_filter(filter, (static_cast<double>(j) + 0.5 - centre) / stretch);
      sum += wi[j - lo];
    }
    if (sum != 0)
      for (std::int64_t k = 0; k < hi - lo; ++k) wi[k] /= sum;
    w.first.push_back(lo);
    w.count.push_back(hi - lo);
  }
  return w;
}

Tensor resize_image(const Tensor& image, std::int64_t height, std::int64_t width, ResizeFilter filter) {
  const Planes p = check_image(image, "resize_image");
  ADVGRAD_CHECK(height > 0 && width > 0, "resize_image: target size ", height, "x", width, " must be positive");
  const std::vector<double> rows =
      resample_axis(image.to_double_vector(), p.count * p.height, p.width, 1, resample_weights(p.width, width, filter));
  const std::vector<double> out =
      resample_axis(rows, p.count, p.height, width, resample_weights(p.height, height, filter));
  Shape shape = image.shape();
  shape[shape.size() - 2] = height;
  shape[shape.size() - 1] = width;
  return from_vector(out, shape, TensorOptions{}.with_dtype(image.dtype()).with_device(image.device()));
}

Tensor resize_shorter_side(const Tensor& image, std::int64_t size, ResizeFilter filter) {
  const Planes p = check_image(image, "resize_shorter_side");
  ADVGRAD_CHECK(size > 0, "resize_shorter_side: size ", size, " must be positive");
  if (p.height <= p.width) return resize_image(image, size, size * p.width / p.height, filter);
  return resize_image(image, size * p.height / p.width, size, filter);
}

Tensor center_crop(const Tensor& image, std::int64_t height, std::int64_t width) {
  const Planes p = check_image(image, "center_crop");
  ADVGRAD_CHECK(height > 0 && width > 0 && height <= p.height && width <= p.width, "center_crop: a ", height, "x",
                width, " window does not fit in the ", p.height, "x", p.width, " image");
  const auto rank = static_cast<std::int64_t>(image.shape().size());
  const std::int64_t top = half_rounded_to_even(p.height - height), left = half_rounded_to_even(p.width - width);
  return image.narrow(rank - 2, top, height).narrow(rank - 1, left, width).contiguous();
}

Dataset convert_dataset(const Dataset& data, std::int64_t channels, std::int64_t height, std::int64_t width) {
  channels = channels > 0 ? channels : data.channels;
  height = height > 0 ? height : data.height;
  width = width > 0 ? width : data.width;
  ADVGRAD_CHECK(channels == 1 || channels == 3, "convert_dataset: channels must be 1 or 3, got ", channels);
  ADVGRAD_CHECK(data.channels == 1 || data.channels == 3, "convert_dataset: ", data.name, " has ", data.channels,
                " channels (1 or 3 can be converted)");
  Dataset out = data;
  if (channels == data.channels && height == data.height && width == data.width) return out;
  out.channels = channels;
  out.height = height;
  out.width = width;
  const std::int64_t n = data.size(), in_numel = data.image_numel(), out_numel = channels * height * width;
  out.pixels.assign(static_cast<std::size_t>(n * out_numel), 0);
  constexpr std::int64_t kChunk = 256;  // images resized at a time (bounds the double buffers)
  for (std::int64_t first = 0; first < n; first += kChunk) {
    const std::int64_t count = std::min(kChunk, n - first);
    std::vector<double> in(static_cast<std::size_t>(count * data.channels * data.height * data.width));
    for (std::size_t i = 0; i < in.size(); ++i) in[i] = data.pixels[static_cast<std::size_t>(first * in_numel) + i] / 255.0;
    Tensor images = from_vector(in, {count, data.channels, data.height, data.width}, {.dtype = DType::Float64});
    if (height != data.height || width != data.width) images = resize_image(images, height, width);
    const std::vector<double> v = images.to_double_vector();
    const std::int64_t plane = height * width;
    for (std::int64_t k = 0; k < count; ++k) {
      const double* src = v.data() + k * data.channels * plane;
      std::uint8_t* dst = out.pixels.data() + (first + k) * out_numel;
      for (std::int64_t c = 0; c < channels; ++c)
        for (std::int64_t i = 0; i < plane; ++i) {
          double x = 0;
          if (data.channels == channels) x = src[c * plane + i];
          else if (data.channels == 1) x = src[i];  // grey into every colour channel
          else x = 0.299 * src[i] + 0.587 * src[plane + i] + 0.114 * src[2 * plane + i];
          dst[c * plane + i] = static_cast<std::uint8_t>(std::lround(std::clamp(x, 0.0, 1.0) * 255.0));
        }
    }
  }
  return out;
}

}  // namespace advgrad::data
