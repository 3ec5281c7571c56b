// imageio's JPEG decoder on files encoded by libjpeg in the fixture: grey and
// RGB, odd sizes, baseline and progressive; every truncation, flipped
// markers and a huge declared size throw advgrad::Error, never exit or crash.
#include <algorithm>
#include <cstdlib>

#include "advgrad/imageio/jpeg_codec.h"
#include "expect_error.h"
#include "imageio/jpeg_fixture.h"
#include "testing.h"

namespace advgrad::imageio {
namespace {

using advgrad::testing::encode_jpeg;
using advgrad::testing::expect_error;

// A smooth picture (JPEG's lossy steps barely touch it): each channel a
// different ramp across the image.
Image smooth_image(int w, int h, int channels) {
  Image im{w, h, channels, std::vector<std::uint8_t>(std::size_t(w) * h * channels)};
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < channels; ++c)
        im.pixels[(std::size_t(y) * w + x) * channels + c] =
            static_cast<std::uint8_t>(40 + (c + 1) * 150 * (x + 2 * y) / (3 * (w + 2 * h)));
  return im;
}

int max_abs_diff(const Image& a, const Image& b) {
  int worst = 0;
  for (std::size_t i = 0; i < a.pixels.size(); ++i) worst = std::max(worst, std::abs(a.pixels[i] - b.pixels[i]));
  return worst;
}

TEST(ImageJpeg, DecodesOddSizedGreyAndRgbBaselineAndProgressive) {
  for (int channels : {1, 3})
    for (bool progressive : {false, true}) {
      const Image im = smooth_image(37, 23, channels);
      const Image back = decode_jpeg(encode_jpeg(im, 95, progressive), "ramp.jpg", Channels::AsStored);
      ASSERT_EQ(back.width, 37);
      ASSERT_EQ(back.height, 23);
      ASSERT_EQ(back.channels, channels);
      EXPECT_LE(max_abs_diff(back, im), 6) << channels << " channels, progressive " << progressive;
    }
}

TEST(ImageJpeg, GreyBecomesThreeEqualChannelsOnRequest) {
  const std::string jpeg = encode_jpeg(smooth_image(13, 9, 1));
  const Image grey = decode_jpeg(jpeg, "grey.jpg", Channels::AsStored);
  const Image rgb = decode_jpeg(jpeg, "grey.jpg", Channels::Rgb);
  ASSERT_EQ(rgb.channels, 3);
  for (std::size_t i = 0; i < grey.pixels.size(); ++i)
    for (int c = 0; c < 3; ++c) EXPECT_EQ(rgb.pixels[i * 3 + c], grey.pixels[i]);
}

TEST(ImageJpeg, EveryPrefixOfAFileThrows) {
  // libjpeg only warns on a truncated file and fills the rest with grey; here
  // that is an error, for every cut, the last byte of the EOI marker included.
  for (bool progressive : {false, true}) {
    const std::string good = encode_jpeg(smooth_image(11, 7, 3), 90, progressive);
    for (std::size_t len = 0; len < good.size(); ++len)
      expect_error([&] { decode_jpeg(good.substr(0, len), "cut.jpg"); }, {"decode_jpeg", "cut.jpg"});
  }
}

TEST(ImageJpeg, CorruptMarkersThrow) {
  const std::string good = encode_jpeg(smooth_image(11, 7, 3));
  // Every marker byte (0xff followed by a marker code) flipped in turn.
  for (std::size_t i = 2; i + 1 < good.size(); ++i) {
    if (static_cast<unsigned char>(good[i]) != 0xff || good[i + 1] == 0) continue;
    std::string bad = good;
    bad[i + 1] = static_cast<char>(0x01);  // TEM: not a marker any JPEG segment may hold here
    expect_error([&] { decode_jpeg(bad, "bad.jpg"); }, {"decode_jpeg", "bad.jpg"});
  }
  expect_error([] { decode_jpeg("", "empty.jpg"); }, {"decode_jpeg", "empty.jpg", "empty"});
}

TEST(ImageJpeg, HugeDeclaredSizeIsRefusedBeforeAllocating) {
  std::string jpeg = encode_jpeg(smooth_image(8, 8, 3));
  const std::size_t sof = jpeg.find("\xff\xc0");  // baseline start-of-frame: length, precision, height, width
  ASSERT_NE(sof, std::string::npos);
  for (std::size_t k : {5, 6, 7, 8}) jpeg[sof + k] = static_cast<char>(0x7f);  // 32639 x 32639
  expect_error([&] { decode_jpeg(jpeg, "huge.jpg"); }, {"decode_jpeg", "huge.jpg", "32639x32639", "limit"});
}

}  // namespace
}  // namespace advgrad::imageio
