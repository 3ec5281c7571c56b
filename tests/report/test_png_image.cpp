// PNG files: round trips through libpng, files written by hand from the spec,
// corrupt and truncated files, and atomic writes.
#include <filesystem>
#include <random>

#include "advgrad/report/png_image.h"
#include "expect_error.h"
#include "imageio/png_by_hand.h"
#include "testing.h"

namespace advgrad::report {
namespace {

using advgrad::testing::expect_error;
using advgrad::testing::handmade_png;
using advgrad::testing::temp_dir;
namespace fs = std::filesystem;

Image random_image(int w, int h, unsigned seed) {
  std::mt19937 rng(seed);
  Image im(w, h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      im.set(x, y, {static_cast<std::uint8_t>(rng()), static_cast<std::uint8_t>(rng()), static_cast<std::uint8_t>(rng())});
  return im;
}

int count_if_pixel(const Image& im, auto pred) {
  int n = 0;
  for (int y = 0; y < im.height(); ++y)
    for (int x = 0; x < im.width(); ++x) n += pred(im.at(x, y)) ? 1 : 0;
  return n;
}

// ---- canvas and PNG ----------------------------------------------------------------

TEST(PngImage, AtChecksRangeAndSetClips) {
  Image im(5, 4, {1, 2, 3});
  EXPECT_EQ(im.at(4, 3), (Rgb{1, 2, 3}));
  expect_error([&] { im.at(5, 0); }, {"Image::at", "(5, 0)", "5x4"});
  expect_error([&] { im.at(0, -1); }, {"Image::at"});
  im.set(-1, 0, {9, 9, 9});
  im.set(5, 3, {9, 9, 9});
  im.set(2, 1, {7, 7, 7});
  EXPECT_EQ(count_if_pixel(im, [](Rgb c) { return c == Rgb{9, 9, 9}; }), 0);
  EXPECT_EQ(count_if_pixel(im, [](Rgb c) { return c == Rgb{7, 7, 7}; }), 1);
  expect_error([] { Image(-1, 3); }, {"Image", "-1x3"});
}

TEST(PngCodec, RoundTripKeepsEveryPixelOfAnOddSizedImage) {
  const Image im = random_image(37, 23, 1);
  const std::string bytes = encode_png(im);
  ASSERT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  const Image back = decode_png(bytes, "memory");
  ASSERT_EQ(back.width(), 37);
  ASSERT_EQ(back.height(), 23);
  EXPECT_EQ(back.rgb(), im.rgb());
}

TEST(PngCodec, DecodesGreyAndCompositesAlphaOverWhite) {
  const Image grey = decode_png(handmade_png(3, 2, 0, 3, {0, 100, 255, 7, 8, 9}), "grey");
  EXPECT_EQ(grey.at(1, 0), (Rgb{100, 100, 100}));
  EXPECT_EQ(grey.at(2, 1), (Rgb{9, 9, 9}));
  // RGBA: opaque red, fully transparent (-> white), half-transparent black.
  const Image rgba = decode_png(handmade_png(3, 1, 6, 12, {255, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 128}), "rgba");
  EXPECT_EQ(rgba.at(0, 0), (Rgb{255, 0, 0}));
  EXPECT_EQ(rgba.at(1, 0), (Rgb{255, 255, 255}));
  EXPECT_EQ(rgba.at(2, 0), (Rgb{127, 127, 127}));
}

TEST(PngCodec, CorruptOrTruncatedDataThrowsInsteadOfCrashing) {
  const std::string good = encode_png(random_image(9, 7, 2));
  expect_error([] { decode_png("", "empty.png"); }, {"decode_png", "empty.png"});
  expect_error([] { decode_png("GIF89a not a png at all", "x.gif"); }, {"decode_png", "x.gif"});
  for (std::size_t len : {std::size_t{8}, std::size_t{20}, std::size_t{40}, good.size() / 2, good.size() - 1})
    expect_error([&] { decode_png(good.substr(0, len), "cut.png"); }, {"decode_png", "cut.png"});
  // Any single flipped byte after the signature breaks a CRC, a length or a type.
  for (std::size_t i = 8; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    expect_error([&] { decode_png(bad, "flip.png"); }, {"decode_png", "flip.png"});
  }
}

TEST(PngCodec, WritePngIsAtomic) {
  const fs::path dir = temp_dir("png_atomic");
  const std::string path = (dir / "a.png").string();
  const Image first = random_image(4, 3, 3), second = random_image(6, 5, 4);
  write_png(path, first);
  EXPECT_EQ(read_png(path).rgb(), first.rgb());
  write_png(path, second);  // replaces it
  EXPECT_EQ(read_png(path).rgb(), second.rgb());
  expect_error([&] { write_png(path, Image()); }, {"write_png", path.c_str(), "empty"});
  EXPECT_EQ(read_png(path).rgb(), second.rgb());  // a failed write leaves the old file
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);  // no temp file left
  const std::string missing = (dir / "no_such_dir" / "b.png").string();
  expect_error([&] { write_png(missing, first); }, {missing.c_str()});
  expect_error([&] { read_png(missing); }, {missing.c_str()});
  fs::remove_all(dir);
}

}  // namespace
}  // namespace advgrad::report
