// PNG files, the bitmap font and the figures: round trips through libpng,
// corrupt and truncated files, atomic writes, text that stays in its box, and
// figures whose sizes and colours say what they show. Set ADVGRAD_FIGURE_DIR to
// keep the figures these tests draw, to look at them.
#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>

#include "advgrad/core/ops/ops.h"
#include "advgrad/report/bitmap_font.h"
#include "advgrad/report/figures.h"
#include "advgrad/report/png_image.h"
#include "expect_error.h"
#include "testing.h"

namespace advgrad::report {
namespace {

using advgrad::testing::expect_error;
namespace fs = std::filesystem;

using advgrad::testing::temp_dir;

void keep(const Image& image, const std::string& name) {
  if (const char* dir = std::getenv("ADVGRAD_FIGURE_DIR")) write_png((fs::path(dir) / name).string(), image);
}

Image random_image(int w, int h, unsigned seed) {
  std::mt19937 rng(seed);
  Image im(w, h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      im.set(x, y, {static_cast<std::uint8_t>(rng()), static_cast<std::uint8_t>(rng()), static_cast<std::uint8_t>(rng())});
  return im;
}

// A PNG assembled by hand from the spec (signature, IHDR, one IDAT, IEND), so
// that the decoder is checked against files our encoder never writes.
std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}
std::string chunk(const std::string& type, const std::string& data) {
  const std::string body = type + data;
  const auto crc = static_cast<std::uint32_t>(::crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
  return be32(static_cast<std::uint32_t>(data.size())) + body + be32(crc);
}
std::string handmade_png(int w, int h, int color_type, int channels, const std::vector<std::uint8_t>& samples) {
  std::string raw;  // each row: filter byte 0 (none), then the samples
  for (int y = 0; y < h; ++y) {
    raw += '\0';
    raw.append(reinterpret_cast<const char*>(&samples[static_cast<std::size_t>(y) * w * channels]), static_cast<std::size_t>(w) * channels);
  }
  uLongf n = compressBound(raw.size());
  std::string z(n, '\0');
  EXPECT_EQ(compress(reinterpret_cast<Bytef*>(z.data()), &n, reinterpret_cast<const Bytef*>(raw.data()), raw.size()), Z_OK);
  z.resize(n);
  const std::string ihdr = be32(w) + be32(h) + std::string{8, static_cast<char>(color_type), 0, 0, 0};
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", z) + chunk("IEND", "");
}

int count_if_pixel(const Image& im, auto pred) {
  int n = 0;
  for (int y = 0; y < im.height(); ++y)
    for (int x = 0; x < im.width(); ++x) n += pred(im.at(x, y)) ? 1 : 0;
  return n;
}

// ---- canvas and PNG ----------------------------------------------------------------

TEST(PngImage, AtChecksRangeAndDrawingClips) {
  Image im(5, 4, {1, 2, 3});
  EXPECT_EQ(im.at(4, 3), (Rgb{1, 2, 3}));
  expect_error([&] { im.at(5, 0); }, {"Image::at", "(5, 0)", "5x4"});
  expect_error([&] { im.at(0, -1); }, {"Image::at"});
  im.set(-1, 0, {9, 9, 9});
  im.set(5, 3, {9, 9, 9});
  im.fill_rect(3, 2, 100, 100, {7, 7, 7});  // runs off the corner
  EXPECT_EQ(count_if_pixel(im, [](Rgb c) { return c == Rgb{7, 7, 7}; }), 4);
  EXPECT_EQ(count_if_pixel(im, [](Rgb c) { return c == Rgb{9, 9, 9}; }), 0);
  im.draw_line(-10, 0, 10, 0, {5, 5, 5});
  EXPECT_EQ(count_if_pixel(im, [](Rgb c) { return c == Rgb{5, 5, 5}; }), 5);
  Image small(3, 3, {8, 8, 8});
  im.blit(small, -1, -1);  // only its bottom-right 2x2 lands
  EXPECT_EQ(count_if_pixel(im, [](Rgb c) { return c == Rgb{8, 8, 8}; }), 4);
  EXPECT_EQ(im.at(1, 1), (Rgb{8, 8, 8}));
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
  const Image grey = decode_png(handmade_png(3, 2, 0, 1, {0, 100, 255, 7, 8, 9}), "grey");
  EXPECT_EQ(grey.at(1, 0), (Rgb{100, 100, 100}));
  EXPECT_EQ(grey.at(2, 1), (Rgb{9, 9, 9}));
  // RGBA: opaque red, fully transparent (-> white), half-transparent black.
  const Image rgba = decode_png(handmade_png(3, 1, 6, 4, {255, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 128}), "rgba");
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

// ---- the font ----------------------------------------------------------------------

TEST(FiguresFont, TextStaysInsideItsBoxAndGlyphsDiffer) {
  const std::string text = "Hello, gjpqy! 97% (x/eps)_=+-:'?";
  for (int scale : {1, 3}) {
    const int w = text_width(text, scale), h = text_height(scale), m = 5;
    EXPECT_EQ(w, (6 * static_cast<int>(text.size()) - 1) * scale);
    EXPECT_EQ(h, 8 * scale);
    Image im(w + 2 * m, h + 2 * m);
    draw_text(im, m, m, text, {0, 0, 0}, scale);
    int inside = 0, outside = 0;
    for (int y = 0; y < im.height(); ++y)
      for (int x = 0; x < im.width(); ++x) {
        const bool ink = im.at(x, y) == Rgb{0, 0, 0};
        const bool in_box = x >= m && x < m + w && y >= m && y < m + h;
        (in_box ? inside : outside) += ink ? 1 : 0;
      }
    EXPECT_GT(inside, 50 * scale * scale);
    EXPECT_EQ(outside, 0);
  }
  // Every printable character has its own glyph; only the space is blank.
  std::set<std::string> seen;  // pixels as bytes (a set of vectors trips a GCC 12 -O3 false warning)
  const Image empty_cell(5, 8);
  for (int c = 33; c <= 126; ++c) {
    Image im(5, 8);
    draw_text(im, 0, 0, std::string(1, static_cast<char>(c)), {0, 0, 0});
    EXPECT_TRUE(seen.insert(std::string(im.rgb().begin(), im.rgb().end())).second) << "glyph '" << static_cast<char>(c) << "' repeats another";
    EXPECT_NE(im.rgb(), empty_cell.rgb()) << "glyph '" << static_cast<char>(c) << "' is blank";
  }
  Image box(5, 8), blank(5, 8);
  draw_text(box, 0, 0, "\x01", {0, 0, 0});
  draw_text(blank, 0, 0, " ", {0, 0, 0});
  EXPECT_NE(box.rgb(), blank.rgb());  // unknown characters are visible
  expect_error([] { text_width("a", 0); }, {"text_width", "scale"});
}

// ---- figures -----------------------------------------------------------------------

struct GridInputs {
  Tensor x, x_adv, labels, logits;
};

// n grey 6x5 images at 0.5, moved by `delta`, all labelled and predicted 1 of 3.
GridInputs grid_inputs(std::int64_t n, double delta, DType dtype = DType::Float32) {
  GridInputs g;
  g.x = full({n, 1, 5, 6}, 0.5, {.dtype = dtype});
  g.x_adv = g.x + delta;
  std::vector<std::int64_t> y;
  std::vector<double> l;
  for (std::int64_t i = 0; i < n; ++i) {
    y.push_back(1);
    l.insert(l.end(), {0.0, 3.0, 0.5});
  }
  g.labels = from_vector(y, {n});
  g.logits = from_vector(l, {n, 3}, {.dtype = dtype});
  return g;
}

TEST(FiguresGrid, OneRowPerExampleUpToMaxRows) {
  const std::vector<std::string> names{"zero", "one", "two"};
  auto height_for = [&](std::int64_t n, std::int64_t max_rows) {
    const GridInputs g = grid_inputs(n, 0.1);
    return adversarial_grid(g.x, g.x_adv, g.labels, g.logits, g.logits, names, {.max_rows = max_rows}).height();
  };
  const int h1 = height_for(1, 8), h2 = height_for(2, 8), h3 = height_for(3, 8);
  EXPECT_EQ(h3 - h2, h2 - h1);
  EXPECT_GT(h2 - h1, 5 * 3 + 8);  // a tile (5 px at scale 3) and its caption
  EXPECT_EQ(height_for(5, 2), h2);
  const GridInputs g = grid_inputs(2, 0.1);
  const Image im = adversarial_grid(g.x, g.x_adv, g.labels, g.logits, g.logits, names, {.scale = 3});
  EXPECT_GE(im.width(), 3 * 6 * 3);
}

TEST(FiguresGrid, PositivePerturbationIsRedNegativeIsBlue) {
  auto red = [](Rgb c) { return c.r > 180 && c.g < 80 && c.b < 80; };
  auto blue = [](Rgb c) { return c.b > 180 && c.r < 80 && c.g < 100; };
  const int tile = 5 * 3 * 6 * 3;
  for (double delta : {0.05, -0.05}) {
    for (DType dtype : {DType::Float32, DType::Float64}) {
      const GridInputs g = grid_inputs(1, delta, dtype);
      const Image im = adversarial_grid(g.x, g.x_adv, g.labels, g.logits, g.logits, {}, {.scale = 3, .title = "FGSM"});
      EXPECT_EQ(count_if_pixel(im, red), delta > 0 ? tile : 0);
      EXPECT_EQ(count_if_pixel(im, blue), delta < 0 ? tile : 0);
    }
  }
  // Non-contiguous RGB input (a permuted NHWC tensor) with a known eps.
  Tensor x = full({2, 4, 4, 3}, 0.25).permute({0, 3, 1, 2});
  const Tensor logits = from_vector(std::vector<double>{1, 0, 0, 1}, {2, 2});
  const Tensor labels = from_vector(std::vector<std::int64_t>{0, 0}, {2});
  const Image im = adversarial_grid(x, x - 0.03, labels, logits, logits, {"cat", "dog"},
                                    {.scale = 2, .title = "PGD eps 0.03", .eps = 0.03});
  EXPECT_EQ(count_if_pixel(im, blue), 2 * 8 * 8);
  keep(im, "grid_rgb.png");
}

TEST(FiguresGrid, BadInputsNameTheFunctionAndShapes) {
  const GridInputs g = grid_inputs(2, 0.1);
  const Tensor x3 = full({2, 5, 6}, 0.5);
  expect_error([&] { adversarial_grid(x3, x3, g.labels, g.logits, g.logits, {}); }, {"adversarial_grid", "[2, 5, 6]"});
  const Tensor x_adv3 = full({3, 1, 5, 6}, 0.5);
  expect_error([&] { adversarial_grid(g.x, x_adv3, g.labels, g.logits, g.logits, {}); },
               {"adversarial_grid", "[3, 1, 5, 6]", "[2, 1, 5, 6]"});
  const Tensor labels3 = from_vector(std::vector<std::int64_t>{1, 1, 1}, {3});
  expect_error([&] { adversarial_grid(g.x, g.x_adv, labels3, g.logits, g.logits, {}); }, {"adversarial_grid", "labels", "[3]"});
  expect_error([&] { adversarial_grid(g.x, g.x_adv, g.labels, g.logits, g.logits, {"a", "b"}); },
               {"adversarial_grid", "2 class names", "[2, 3]"});
  expect_error([&] { adversarial_grid(g.x, g.x_adv, g.labels, g.logits, g.logits, {}, {.scale = 0}); },
               {"adversarial_grid", "scale"});
  const Tensor bad_label = from_vector(std::vector<std::int64_t>{1, 3}, {2});
  expect_error([&] { adversarial_grid(g.x, g.x_adv, bad_label, g.logits, g.logits, {}); }, {"adversarial_grid", "label 3"});
}

TEST(FiguresSaliency, HeatMapIsNormalisedPerExample) {
  // Example 0: one hot pixel among zeros; example 1: the same map 1000x larger.
  std::vector<double> m(2 * 3 * 4 * 4, 0.0);
  m[5] = -2.0;
  m[48 + 5] = 2000.0;
  const Tensor maps = from_vector(m, {2, 3, 4, 4}, {.dtype = DType::Float64});
  const Tensor x = full({2, 1, 4, 4}, 0.5);
  const Image im = saliency_figure(x, maps, {"a", "b"}, {.scale = 4, .title = "saliency"});
  // Each heat tile: 15 black pixels (16 px each at scale 4), one white one.
  EXPECT_GE(count_if_pixel(im, [](Rgb c) { return c == Rgb{0, 0, 0}; }), 2 * 15 * 16);
  const Image one = saliency_figure(x.narrow(0, 0, 1), maps.narrow(0, 0, 1), {});
  EXPECT_LT(one.height(), im.height());
  expect_error([&] { saliency_figure(x, maps.narrow(2, 0, 3), {}); }, {"saliency_figure", "[2, 3, 3, 4]"});
  expect_error([&] { saliency_figure(x, maps, {"only one"}); }, {"saliency_figure", "1 row labels"});
  // A smooth map, to look at.
  const Tensor ramp = arange(16, {.dtype = DType::Float32}).reshape({1, 4, 4}).expand({2, 4, 4});
  keep(saliency_figure(x, ramp, {"first", "second"}, {.title = "|dL/dx|"}), "saliency.png");
}

TEST(FiguresChart, DrawsSeriesColoursAndRejectsBadData) {
  const std::vector<ChartSeries> series{{"standard", {0, 0.01, 0.02, 0.03}, {0.99, 0.7, 0.2, 0.02}},
                                        {"adv-trained", {0, 0.01, 0.02, 0.03}, {0.97, 0.93, 0.85, 0.7}}};
  const ChartOptions opts{.title = "Robust accuracy (PGD-20)", .x_label = "eps (L-inf)", .y_label = "accuracy"};
  const Image im = line_chart(series, opts);
  EXPECT_EQ(im.width(), 640);
  EXPECT_EQ(im.height(), 420);
  auto has = [&](Rgb want) { return count_if_pixel(im, [&](Rgb c) { return c == want; }) > 50; };
  EXPECT_TRUE(has({0, 114, 178}));
  EXPECT_TRUE(has({213, 94, 0}));
  keep(im, "chart.png");
  expect_error([&] { line_chart({}, opts); }, {"line_chart", "no series"});
  expect_error([&] { line_chart({{"s", {0, 1}, {0.5}}}, opts); }, {"line_chart", "'s'", "2 x values and 1 y"});
  expect_error([&] { line_chart({{"s", {0, 1}, {0.5, NAN}}}, opts); }, {"line_chart", "non-finite"});
  expect_error([&] { line_chart(series, {.y_min = 1, .y_max = 1}); }, {"line_chart", "y range"});
  const Image single = line_chart({{"one point", {0.1}, {0.5}}}, {.y_percent = false, .width = 200, .height = 150});
  EXPECT_EQ(single.width(), 200);
}

TEST(FiguresTensor, TensorToImageScalesPixelsAndChecksShape) {
  // RGB [3, 1, 2] from a permuted float64 [1, 2, 3] (non-contiguous).
  const Tensor hwc = from_vector(std::vector<double>{1, 0, 0, 0, 0.5, 1}, {1, 2, 3}, {.dtype = DType::Float64});
  const Image im = tensor_to_image(hwc.permute({2, 0, 1}), 2);
  ASSERT_EQ(im.width(), 4);
  ASSERT_EQ(im.height(), 2);
  EXPECT_EQ(im.at(1, 1), (Rgb{255, 0, 0}));
  EXPECT_EQ(im.at(2, 0), (Rgb{0, 128, 255}));
  const Image grey = tensor_to_image(full({1, 2, 2}, 2.0));  // clamped to 1
  EXPECT_EQ(grey.at(1, 1), (Rgb{255, 255, 255}));
  expect_error([] { tensor_to_image(full({2, 2, 2}, 0.5)); }, {"tensor_to_image", "[2, 2, 2]"});
  expect_error([] { tensor_to_image(full({1, 2, 2}, 0.5), 0); }, {"tensor_to_image", "scale"});
  expect_error([] { tensor_to_image(full({1, 1, 1}, NAN)); }, {"tensor_to_image", "non-finite"});
}

}  // namespace
}  // namespace advgrad::report
