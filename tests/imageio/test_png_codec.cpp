// imageio's PNG decoder: round trips of grey and RGB, files written by hand
// (palette with transparency, 16-bit, grey+alpha), size limits, and corrupt
// or truncated data, which must throw and never crash.
#include <random>

#include "advgrad/imageio/png_codec.h"
#include "expect_error.h"
#include "imageio/png_by_hand.h"
#include "testing.h"

namespace advgrad::imageio {
namespace {

using advgrad::testing::be32;
using advgrad::testing::expect_error;
using advgrad::testing::handmade_png;
using advgrad::testing::png_chunk;

Image random_image(int w, int h, int channels, unsigned seed) {
  std::mt19937 rng(seed);
  Image im{w, h, channels, std::vector<std::uint8_t>(std::size_t(w) * h * channels)};
  for (auto& p : im.pixels) p = static_cast<std::uint8_t>(rng());
  return im;
}

TEST(ImagePng, RoundTripsOddSizedGreyAndRgbExactly) {
  for (int channels : {1, 3}) {
    const Image im = random_image(37, 23, channels, 5);
    const Image back = decode_png(encode_png(im), "memory", Channels::AsStored);
    EXPECT_EQ(back.width, 37);
    EXPECT_EQ(back.height, 23);
    EXPECT_EQ(back.channels, channels);
    EXPECT_EQ(back.pixels, im.pixels);
  }
}

TEST(ImagePng, GreyBecomesThreeEqualChannelsOnRequest) {
  const Image grey = random_image(5, 3, 1, 6);
  const Image rgb = decode_png(encode_png(grey), "grey", Channels::Rgb);
  ASSERT_EQ(rgb.channels, 3);
  for (std::size_t i = 0; i < grey.pixels.size(); ++i)
    for (int c = 0; c < 3; ++c) EXPECT_EQ(rgb.pixels[i * 3 + c], grey.pixels[i]);
}

TEST(ImagePng, PaletteWithTransparencyIsExpandedAndCompositedOverWhite) {
  // Palette: red, green, black; tRNS: red opaque, green fully transparent, black at alpha 128.
  const std::string plte = png_chunk("PLTE", std::string("\xff\x00\x00\x00\xff\x00\x00\x00\x00", 9));
  const std::string trns = png_chunk("tRNS", std::string("\xff\x00\x80", 3));
  const Image im = decode_png(handmade_png(3, 1, 3, 3, {0, 1, 2}, 8, plte + trns), "palette");
  EXPECT_EQ(im.pixels, (std::vector<std::uint8_t>{255, 0, 0, 255, 255, 255, 127, 127, 127}));
}

TEST(ImagePng, SixteenBitSamplesAreRoundedToEightBits) {
  // One RGB pixel, 16 bits a sample: k * 257 is exactly k; 0x00ff rounds up to 1
  // (255 * 255 / 65535 = 0.99), where dropping the low byte would give 0.
  const Image im = decode_png(handmade_png(1, 1, 2, 6, {0x64, 0x64, 0x00, 0xff, 0xff, 0xff}, 16), "16-bit");
  EXPECT_EQ(im.pixels, (std::vector<std::uint8_t>{100, 1, 255}));
}

TEST(ImagePng, GreyWithAlphaStaysGreyAsStored) {
  // Grey+alpha: (200, opaque), (0, transparent) -> 200, 255 (white).
  const Image im = decode_png(handmade_png(2, 1, 4, 4, {200, 255, 0, 0}), "grey+alpha", Channels::AsStored);
  EXPECT_EQ(im.channels, 1);
  EXPECT_EQ(im.pixels, (std::vector<std::uint8_t>{200, 255}));
}

TEST(ImagePng, HugeDeclaredSizeIsRefusedBeforeAllocating) {
  // A 20000 x 20000 header over a tiny IDAT: refused by the size, not by running out of data.
  std::string png = handmade_png(1, 1, 0, 1, {0});
  const std::string ihdr = be32(20000) + be32(20000) + std::string{8, 0, 0, 0, 0};
  png.replace(8, 25, png_chunk("IHDR", ihdr));
  expect_error([&] { decode_png(png, "huge.png"); }, {"decode_png", "huge.png", "20000x20000", "limit"});
}

TEST(ImagePng, EveryPrefixOfAFileThrows) {
  const std::string good = encode_png(random_image(9, 7, 3, 7));
  for (std::size_t len = 0; len < good.size(); ++len)
    expect_error([&] { decode_png(good.substr(0, len), "cut.png"); }, {"decode_png", "cut.png"});
}

TEST(ImagePng, EveryFlippedByteAfterTheSignatureThrows) {
  // A flipped byte breaks a CRC, a length or a chunk type.
  const std::string good = encode_png(random_image(6, 5, 1, 8));
  for (std::size_t i = 8; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    expect_error([&] { decode_png(bad, "flip.png"); }, {"decode_png", "flip.png"});
  }
}

TEST(ImagePng, EncodeRefusesEmptyOrInconsistentImages) {
  expect_error([] { encode_png(Image{}); }, {"encode_png", "empty"});
  expect_error([] { encode_png(Image{2, 2, 3, std::vector<std::uint8_t>(5)}); }, {"encode_png", "2x2x3", "5 bytes"});
  expect_error([] { encode_png(Image{1, 1, 2, std::vector<std::uint8_t>(2)}); }, {"encode_png", "1 or 3 channels"});
}

}  // namespace
}  // namespace advgrad::imageio
