// JPEG encoding (imageio/jpeg_encoder.h): a flat block's round trip worked
// out by hand from the standard quantisation table, error that grows as the
// quality drops, and the argument checks.
#include "advgrad/imageio/jpeg_encoder.h"

#include <gtest/gtest.h>

#include <cmath>

#include "advgrad/imageio/jpeg_codec.h"
#include "expect_error.h"
#include "testing.h"

namespace advgrad::imageio {
namespace {

using testing::expect_error;

TEST(JpegEncoder, FlatGreyRoundTripFollowsTheDcQuantiser) {
  // Grey 200: Y = 200 (the RGB->Y weights sum to 1), Cb = Cr = 128. After the
  // level shift Y is 72 and the 8 x 8 block's DC coefficient 8 * 72 = 576;
  // the luminance table's DC step is 16 at quality 50 and 16 * 5000/q / 100
  // below: 32 at 25 (576 = 18 * 32, exact), 80 at 10 (576 / 80 = 7.2 -> 7,
  // back to 7 * 80 / 8 + 128 = 198). Chroma is 0 after its shift: exact.
  const data::ImageShape s{3, 11, 13};  // odd sizes: partial blocks, padded by replication
  const std::vector<float> grey(static_cast<std::size_t>(s.numel()), 200.0f / 255.0f);
  for (int q : {50, 25})
    for (float v : jpeg_round_trip(grey.data(), s, q)) EXPECT_NEAR(v * 255, 200, 1e-3) << "quality " << q;
  for (float v : jpeg_round_trip(grey.data(), s, 10)) EXPECT_NEAR(v * 255, 198, 1e-3);
  // Mid-grey 128 is all zeros after the level shift: exact at any quality.
  const std::vector<float> mid(static_cast<std::size_t>(s.numel()), 128.0f / 255.0f);
  for (float v : jpeg_round_trip(mid.data(), s, 1)) EXPECT_NEAR(v * 255, 128, 1e-3);
}

TEST(JpegEncoder, LowerQualityLosesMore) {
  const data::ImageShape s{3, 37, 45};
  // A smooth gradient with a random texture on top, as photos are.
  const std::vector<float> noise =
      testing::random_tensor({s.channels, s.height, s.width}, 41, DType::Float32, -0.1, 0.1).to_vector<float>();
  std::vector<float> x(noise.size());
  for (std::int64_t c = 0; c < s.channels; ++c)
    for (std::int64_t y = 0; y < s.height; ++y)
      for (std::int64_t xx = 0; xx < s.width; ++xx) {
        const std::int64_t i = (c * s.height + y) * s.width + xx;
        x[i] = std::clamp(0.2f + 0.6f * static_cast<float>(xx + y + c) / 80.0f + noise[i], 0.0f, 1.0f);
      }
  double last = 0;
  for (int q : {95, 50, 25, 7}) {
    const std::vector<float> out = jpeg_round_trip(x.data(), s, q);
    double err = 0;
    for (std::size_t i = 0; i < x.size(); ++i) err += std::abs(out[i] - x[i]);
    err /= static_cast<double>(x.size());
    EXPECT_GT(err, last) << "quality " << q;
    last = err;
  }
  const Image decoded = decode_jpeg(encode_jpeg(Image{5, 3, 1, std::vector<std::uint8_t>(15, 7)}, 80), "grey");
  EXPECT_EQ(decoded.width, 5);
  EXPECT_EQ(decoded.height, 3);
}

TEST(JpegEncoder, RefusesBadArguments) {
  const Image img{2, 2, 3, std::vector<std::uint8_t>(12, 0)};
  expect_error([&] { encode_jpeg(img, 0); }, {"encode_jpeg", "quality must be in 1..100"});
  expect_error([&] { encode_jpeg(img, 101); }, {"encode_jpeg", "quality"});
  expect_error([&] { encode_jpeg(Image{2, 2, 3, std::vector<std::uint8_t>(5, 0)}, 50); }, {"encode_jpeg", "5 bytes"});
  expect_error([&] { encode_jpeg(Image{2, 2, 2, std::vector<std::uint8_t>(8, 0)}, 50); }, {"encode_jpeg", "1 or 3"});
}

}  // namespace
}  // namespace advgrad::imageio
