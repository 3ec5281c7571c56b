#include "advgrad/imageio/image.h"

#include "advgrad/core/error.h"

namespace advgrad::imageio {

void check_image_size(std::int64_t width, std::int64_t height, const char* op, const std::string& what) {
  ADVGRAD_CHECK(width > 0 && height > 0, op, " '", what, "': image is ", width, "x", height, ", which is empty");
  ADVGRAD_CHECK(width <= kMaxSide && height <= kMaxSide && width * height <= kMaxPixels, op, " '", what, "': image is ",
                width, "x", height, ", above the limit of ", kMaxSide, " per side and 2^26 pixels");
}

Tensor to_tensor(const Image& image) {
  const std::int64_t c = image.channels, h = image.height, w = image.width;
  ADVGRAD_CHECK((c == 1 || c == 3) && h > 0 && w > 0 && image.pixels.size() == static_cast<std::size_t>(c * h * w),
                "to_tensor: image is ", w, "x", h, "x", c, " with ", image.pixels.size(),
                " bytes; expected 1 or 3 channels and width * height * channels bytes");
  // Interleaved HWC bytes -> planar CHW floats.
  std::vector<float> planes(image.pixels.size());
  for (std::int64_t y = 0; y < h; ++y)
    for (std::int64_t x = 0; x < w; ++x)
      for (std::int64_t k = 0; k < c; ++k)
        planes[(k * h + y) * w + x] = static_cast<float>(image.pixels[(y * w + x) * c + k]) / 255.0f;
  return from_vector(planes, {c, h, w});
}

}  // namespace advgrad::imageio
