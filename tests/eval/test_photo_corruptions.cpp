// ImageNet-C's corruptions through the severity table (eval/photo_corruptions.h):
// the seed rule, the published parameters, change that grows with severity on
// a random photo, and JPEG through the imageio hook. The operations
// themselves are checked by hand in tests/data/test_colour_corruptions.cpp.
#include "advgrad/eval/photo_corruptions.h"

#include <cmath>

#include "advgrad/imageio/jpeg_encoder.h"
#include "expect_error.h"
#include "testing.h"

namespace advgrad::eval {
namespace {

using testing::expect_error;

// A photo-like [3, 29, 35]: smooth colour ramps plus a little texture, darker
// than 0.7 so that brightness has room to grow before V clips at 1.
Tensor photo(std::uint64_t salt) {
  const Tensor noise = testing::random_tensor({3, 29, 35}, salt, DType::Float32, -0.08, 0.08);
  std::vector<float> v = noise.to_vector<float>();
  for (std::int64_t c = 0; c < 3; ++c)
    for (std::int64_t y = 0; y < 29; ++y)
      for (std::int64_t x = 0; x < 35; ++x) {
        float& p = v[static_cast<std::size_t>((c * 29 + y) * 35 + x)];
        p = std::clamp(p + 0.05f + 0.12f * static_cast<float>(c) + 0.005f * static_cast<float>(x + y), 0.0f, 1.0f);
      }
  return from_vector(v, {3, 29, 35});
}

double mean_abs_change(const Tensor& a, const Tensor& b) {
  const std::vector<double> x = a.to_double_vector(), y = b.to_double_vector();
  double total = 0;
  for (std::size_t i = 0; i < x.size(); ++i) total += std::abs(x[i] - y[i]);
  return total / static_cast<double>(x.size());
}

TEST(PhotoCorruptions, TheTableIsImageNetCs) {
  EXPECT_EQ(photo_corruption_names().size(), 10u);
  EXPECT_EQ(photo_corruption_setting("gaussian_noise", 1), "0.08");
  EXPECT_EQ(photo_corruption_setting("shot_noise", 5), "3");
  EXPECT_EQ(photo_corruption_setting("defocus_blur", 1), "3, 0.1");
  EXPECT_EQ(photo_corruption_setting("motion_blur", 5), "20, 15");
  EXPECT_EQ(photo_corruption_setting("fog", 3), "2.5, 1.7");
  EXPECT_EQ(photo_corruption_setting("jpeg_compression", 5), "7");
  expect_error([] { photo_corruption_setting("snow", 1); }, {"photo_corruption_setting", "unknown corruption 'snow'"});
  expect_error([] { photo_corruption_setting("fog", 6); }, {"severity must be in 1..5"});
}

// Fog is left out of the growth check: severities 3 and 4 share a strength
// (2.5) and differ in the cloud's roughness, so how much a photo changes
// depends on the cloud drawn more than on the severity.
TEST(PhotoCorruptions, SeededPerImageAndSeverityGrowsTheChange) {
  const Tensor x = photo(61);
  for (const std::string& c : photo_corruption_names()) {
    const bool grows = c != "fog";
    double last = 0;
    for (int s = 1; s <= 5; ++s) {
      const Tensor a = corrupt_photo(x, c, s, 9, 3, imageio::jpeg_round_trip);
      EXPECT_EQ(a.shape(), x.shape());
      EXPECT_EQ(a.to_vector<float>(), corrupt_photo(x, c, s, 9, 3, imageio::jpeg_round_trip).to_vector<float>())
          << c << ": same seed and index, same values";
      const double change = mean_abs_change(a, x);
      if (grows) {
        EXPECT_GT(change, last) << c << " severity " << s << " changes no more than severity " << s - 1;
      }
      last = change;
      for (float v : a.to_vector<float>()) ASSERT_TRUE(v >= 0 && v <= 1) << c;
    }
  }
  // Random corruptions depend on the seed and on the image's index.
  for (const char* c : {"gaussian_noise", "shot_noise", "impulse_noise", "fog"}) {
    const auto v = corrupt_photo(x, c, 2, 9, 3).to_vector<float>();
    EXPECT_NE(v, corrupt_photo(x, c, 2, 10, 3).to_vector<float>()) << c;
    EXPECT_NE(v, corrupt_photo(x, c, 2, 9, 4).to_vector<float>()) << c;
  }
}

TEST(PhotoCorruptions, RefusesBadInputs) {
  const Tensor x = photo(62);
  expect_error([&] { corrupt_photo(x, "jpeg_compression", 1, 0, 0); }, {"corrupt_photo", "needs a JPEG codec"});
  expect_error([&] { corrupt_photo(x.unsqueeze(0), "fog", 1, 0, 0); }, {"corrupt_photo", "[C, H, W]"});
  expect_error([&] { corrupt_photo(x, "fog", 1, 0, -1); }, {"corrupt_photo", "image index"});
  expect_error([&] { corrupt_photo(x, "frost", 1, 0, 0); }, {"corrupt_photo", "unknown corruption"});
}

}  // namespace
}  // namespace advgrad::eval
