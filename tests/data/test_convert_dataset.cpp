// convert_dataset: grey to RGB repeats the value, RGB to grey is BT.601 luma,
// and resizing matches resize_image on the [0, 1] images.
#include <algorithm>
#include <cmath>

#include "advgrad/data/image_transforms.h"
#include "testing.h"

namespace advgrad::data {
namespace {

Dataset random_set(std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w, std::uint64_t salt) {
  Dataset d;
  d.name = "random";
  d.channels = c, d.height = h, d.width = w, d.classes = 3;
  const std::vector<double> v = testing::random_tensor({n * c * h * w}, salt, DType::Float64, 0, 256).to_double_vector();
  for (double x : v) d.pixels.push_back(static_cast<std::uint8_t>(std::min(255.0, x)));
  for (std::int64_t i = 0; i < n; ++i) d.labels.push_back(i % 3);
  return d;
}

TEST(ConvertDataset, GreyToRgbLumaAndResize) {
  const Dataset grey = random_set(5, 1, 7, 9, 1);
  const Dataset rgb = convert_dataset(grey, 3, 0, 0);
  ASSERT_EQ(rgb.pixels.size(), 5U * 3 * 63);
  for (std::int64_t k = 0; k < 5; ++k)
    for (std::int64_t c = 0; c < 3; ++c)
      for (std::int64_t i = 0; i < 63; ++i)
        ASSERT_EQ(rgb.pixels[static_cast<std::size_t>((k * 3 + c) * 63 + i)], grey.pixels[static_cast<std::size_t>(k * 63 + i)]);
  const Dataset back = convert_dataset(rgb, 1, 0, 0);  // luma of (g, g, g) = g
  EXPECT_EQ(back.pixels, grey.pixels);
  const Dataset colour = random_set(2, 3, 4, 5, 2);
  const Dataset luma = convert_dataset(colour, 1, 0, 0);
  const auto& p = colour.pixels;
  EXPECT_NEAR(luma.pixels[3], 0.299 * p[3] + 0.587 * p[23] + 0.114 * p[43], 0.5 + 1e-9);

  const Dataset big = convert_dataset(grey, 3, 13, 11);  // odd sizes, enlarging
  EXPECT_EQ(big.height, 13);
  EXPECT_EQ(big.width, 11);
  EXPECT_EQ(big.labels, grey.labels);
  const Tensor want = resize_image(grey.images_tensor({2}).to(DType::Float64), 13, 11);
  const std::vector<double> w = want.to_double_vector();
  for (std::size_t i = 0; i < w.size(); ++i)
    ASSERT_EQ(big.pixels[2 * 3 * 143 + 143 + i], static_cast<std::uint8_t>(std::lround(std::clamp(w[i], 0.0, 1.0) * 255)));
  EXPECT_THROW(convert_dataset(grey, 2, 0, 0), Error);
}

}  // namespace
}  // namespace advgrad::data
