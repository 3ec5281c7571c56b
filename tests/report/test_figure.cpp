// Figure, the Cairo drawing: its SVG parses as XML, its PNG decodes to the
// scaled size, text lands in its measured box in DejaVu Sans, rasters stay
// pixelated, ids can be renamed per document, files are written atomically,
// and bad input throws.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "expect_error.h"
#include "report/figure_testing.h"
#include "testing.h"

namespace advgrad::report {
namespace {

using advgrad::testing::expect_error;
using advgrad::testing::temp_dir;
using test::count_if_pixel;
using test::ink;
using test::render;
namespace fs = std::filesystem;

// A 2x2 checkerboard (black, white / white, black).
Image checker() {
  Image im(2, 2, {255, 255, 255});
  im.set(0, 0, {0, 0, 0});
  im.set(1, 1, {0, 0, 0});
  return im;
}

// Every primitive once, from fixed random numbers.
Figure sampler() {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  Figure f(300, 200);
  f.fill_rect(10, 10, 60, 40, {0, 114, 178});
  f.stroke_rect(80, 10, 60, 40, kInk, 2);
  std::vector<Point> walk;
  for (int i = 0; i <= 20; ++i) walk.push_back({150 + 7.0 * i, 60 - 50 * u(rng)});
  f.polyline(walk, {213, 94, 0}, 2);
  f.fill_polygon({{10, 190}, {60, 120}, {110, 190}}, Color(0, 158, 115, 0.5));
  f.circle({200, 150}, 20, {204, 121, 167});
  f.line({0, 100}, {300, 100}, kMuted, 1);
  f.pixels(checker(), 240, 120, 40, 40);
  f.text({150, 95}, "Accuracy 97% (ε = 0.1) → δ", {.size = 13, .align = Align::Center});
  return f;
}

TEST(FigureSvg, IsWellFormedXmlOfTheFigureSize) {
  const Figure f = sampler();
  const std::string svg = f.svg();
  test::expect_valid_svg(f);
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("width=\"300px\" height=\"200px\" viewBox=\"0 0 300 200\""), std::string::npos) << svg.substr(0, 300);
  EXPECT_NE(svg.find("<symbol"), std::string::npos) << "glyphs as paths, no font needed to view it";
  EXPECT_NE(svg.find("data:image/png;base64,"), std::string::npos) << "the raster, embedded";
  EXPECT_EQ(svg, f.svg()) << "the same drawing gives the same text (ids numbered per document)";
  EXPECT_EQ(svg.find("glyph0-"), std::string::npos) << "Cairo's ids are renamed";
  // Nothing outside the file: every href is internal or a data URI.
  for (const std::string& href : advgrad::testing::values_after(svg, "href=\"", '"'))
    EXPECT_TRUE(href.starts_with("#") || href.starts_with("data:")) << href;
}

TEST(FigurePng, DecodesToTheScaledSizeOnWhite) {
  const Figure f = sampler();
  for (double scale : {1.0, 1.5, 2.0}) {
    const Image im = render(f, scale);
    EXPECT_EQ(im.width(), static_cast<int>(300 * scale));
    EXPECT_EQ(im.height(), static_cast<int>(200 * scale));
    EXPECT_EQ(im.at(0, 0), (Rgb{255, 255, 255}));
    EXPECT_EQ(im.at(static_cast<int>(40 * scale), static_cast<int>(30 * scale)), (Rgb{0, 114, 178}));
  }
  test::keep(f, "figure_sampler");
}

TEST(FigurePixels, StayBlocksInThePngAndAreStoredEnlargedInTheSvg) {
  Figure f(60, 60);
  f.pixels(checker(), 10, 10, 40, 40);  // each image pixel a 20x20 block
  for (double scale : {1.0, 2.0}) {
    const Image im = render(f, scale);
    auto at = [&](double x, double y) { return im.at(static_cast<int>(x * scale), static_cast<int>(y * scale)); };
    EXPECT_EQ(at(10, 10), (Rgb{0, 0, 0}));
    EXPECT_EQ(at(29.6, 29.6), (Rgb{0, 0, 0}));  // the last pixel of the first block: no blending
    EXPECT_EQ(at(30, 10), (Rgb{255, 255, 255}));
    EXPECT_EQ(at(30, 30), (Rgb{0, 0, 0}));
  }
  // Stored at 2 pixels per CSS pixel (80x80 for 40x40), so viewers that smooth still show blocks.
  EXPECT_NE(f.svg().find("width=\"80\" height=\"80\""), std::string::npos);
}

TEST(FigureText, IsDejaVuSansAtTwelvePixelsOrMore) {
  // DejaVu Sans's 'M' advances 1767 of 2048 units per em.
  EXPECT_NEAR(measure_text("M", 12).width, 12.0 * 1767 / 2048, 1e-3);
  EXPECT_NEAR(measure_text("MM", 24).width, 4 * measure_text("M", 12).width, 1e-6) << "no hinting: exact scaling";
  EXPECT_GT(measure_text("M", 12, true).width, measure_text("M", 12).width) << "bold is its own face";
  const TextExtents e = measure_text("");
  EXPECT_NEAR(e.height(), 13.97, 0.05);
  EXPECT_EQ(e.width, 0);
  expect_error([] { measure_text("x", 11.5); }, {"measure_text", "11.5", "12"});
  expect_error([] { measure_text("bad \xff byte"); }, {"measure_text", "UTF-8", "\\xff"});
  expect_error([] { measure_text("two\nlines"); }, {"measure_text", "control character"});
  expect_error([] { measure_text("cut \xe2\x86"); }, {"measure_text", "UTF-8"});
  Figure f(100, 50);
  expect_error([&] { f.text({0, 20}, "small", {.size = 9}); }, {"Figure::text", "font size 9"});
}

TEST(FigureText, InksItsMeasuredBoxOnly) {
  const std::string label = "Robust accuracy, eps 0.1";
  const TextExtents e = measure_text(label, 14);
  for (Align align : {Align::Left, Align::Center, Align::Right}) {
    Figure f(240, 60);
    const double anchor = align == Align::Left ? 20 : align == Align::Center ? 120 : 220;
    f.text({anchor, 35}, label, {.size = 14, .align = align});
    const Image im = render(f, 2);
    const double left = anchor - (align == Align::Left ? 0 : align == Align::Center ? e.width / 2 : e.width);
    // In device pixels, with one pixel of antialiasing around the box.
    const int x0 = static_cast<int>(2 * left) - 1, x1 = static_cast<int>(2 * (left + e.width)) + 2;
    const int y0 = static_cast<int>(2 * (35 - e.ascent)) - 1, y1 = static_cast<int>(2 * (35 + e.descent)) + 2;
    const int inside = count_if_pixel(im, ink, x0, y0, x1, y1);
    EXPECT_GT(inside, 300) << "the label is drawn";
    EXPECT_EQ(count_if_pixel(im, [](Rgb c) { return c != Rgb{255, 255, 255}; }), count_if_pixel(
                  im, [](Rgb c) { return c != Rgb{255, 255, 255}; }, x0, y0, x1, y1))
        << "nothing outside its box";
  }
  // Turned 90 degrees it reads upwards: tall and narrow, its glyphs left of
  // the baseline through the anchor (but for the descenders).
  Figure f(60, 240);
  f.text({40, 120}, label, {.size = 14, .align = Align::Center, .angle = 90});
  const Image im = render(f, 1);
  const int half = static_cast<int>(e.width / 2) + 2;
  EXPECT_GT(count_if_pixel(im, ink, 40 - 15, 120 - half, 41, 120 + half), 100);
  EXPECT_EQ(count_if_pixel(im, ink, 40 + static_cast<int>(e.descent) + 2, 0, 60, 240), 0);
  EXPECT_EQ(count_if_pixel(im, ink, 0, 0, 60, 120 - half) + count_if_pixel(im, ink, 0, 120 + half, 60, 240), 0);
}

TEST(FigureText, WrapsAtSpacesWithinTheWidth) {
  const auto lines = wrap_text("the quick brown fox jumps over the lazy dog", 90);
  ASSERT_GE(lines.size(), 3u);
  for (const auto& l : lines) EXPECT_LE(measure_text(l).width, 90) << l;
  EXPECT_EQ(wrap_text("unbreakable_word_longer_than_the_width", 30).size(), 1u);
  EXPECT_EQ(wrap_text("", 30), std::vector<std::string>{""});
  expect_error([] { wrap_text("x", 0); }, {"wrap_text", "max_width"});
}

TEST(FigureErrors, BadSizesPointsAndScalesThrowNamingTheFunction) {
  expect_error([] { Figure(0, 10); }, {"Figure", "0x10"});
  expect_error([] { Figure(10, NAN); }, {"Figure"});
  expect_error([] { Figure(20000, 10); }, {"Figure", "20000x10"});
  Figure f(50, 50);
  expect_error([&] { f.png(0); }, {"Figure::png", "scale 0"});
  expect_error([&] { f.png(NAN); }, {"Figure::png"});
  expect_error([&] { f.polyline({{0, 0}}, kInk); }, {"Figure::polyline", "2 points"});
  expect_error([&] { f.fill_polygon({{0, 0}, {1, 1}}, kInk); }, {"Figure::fill_polygon", "3 points"});
  expect_error([&] { f.fill_rect(0, NAN, 1, 1, kInk); }, {"Figure::fill_rect", "non-finite"});
  expect_error([&] { f.fill_rect(0, 0, -1, 1, kInk); }, {"Figure::fill_rect", "negative"});
  expect_error([&] { f.circle({1, 1}, 0, kInk); }, {"Figure::circle", "radius"});
  expect_error([&] { f.pixels(Image(), 0, 0, 10, 10); }, {"Figure::pixels", "empty"});
  expect_error([&] { f.pixels(checker(), 0, 0, 0, 10); }, {"Figure::pixels", "not positive"});
  Figure g = std::move(f);
  expect_error([&] { f.svg(); }, {"Figure::svg", "moved from"});  // NOLINT(bugprone-use-after-move): the point
  EXPECT_EQ(render(g).width(), 50);
}

TEST(FigureSvgIds, RenamedPerDocumentSoTwoFiguresShareNoId) {
  Figure a(100, 40), b(100, 40);
  a.text({5, 20}, "first figure");
  b.text({5, 20}, "another one");
  const std::string sa = rename_svg_ids(a.svg(), "a-"), sb = rename_svg_ids(b.svg(), "b-");
  EXPECT_EQ(advgrad::testing::id_problem(sa + sb), "") << "ids unique across both, references resolved";
  EXPECT_NE(sa.find("id=\"a-1\""), std::string::npos);
  EXPECT_NE(sa.find("xlink:href=\"#a-"), std::string::npos);
  EXPECT_EQ(advgrad::testing::xml_problem(sb), "");
  EXPECT_EQ(rename_svg_ids("<g id=\"x\"><use href=\"#x\"/><rect fill=\"url(#x)\"/></g>", "p"),
            "<g id=\"p1\"><use href=\"#p1\"/><rect fill=\"url(#p1)\"/></g>");
  expect_error([] { rename_svg_ids("<g/>", "1x"); }, {"rename_svg_ids", "prefix"});
  expect_error([] { rename_svg_ids("<g/>", "a b"); }, {"rename_svg_ids", "prefix"});
}

TEST(WriteFigure, WritesSvgAndPngAtomically) {
  const fs::path dir = temp_dir("write_figure");
  write_figure(sampler(), dir.string(), "sampler");
  std::ifstream svg(dir / "sampler.svg");
  std::stringstream text;
  text << svg.rdbuf();
  EXPECT_EQ(advgrad::testing::xml_problem(text.str()), "");
  const Image png = read_png((dir / "sampler.png").string());
  EXPECT_EQ(png.width(), 600) << "PNGs at 2 device pixels per CSS pixel";
  EXPECT_EQ(png.height(), 400);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 2) << "no temporary file left";
  expect_error([&] { write_figure(sampler(), dir.string(), "sub/dir"); }, {"write_figure", "sub/dir"});
  expect_error([&] { write_figure(sampler(), dir.string(), ""); }, {"write_figure"});
  const std::string missing = (dir / "no_such_dir").string();
  expect_error([&] { write_figure(sampler(), missing, "x"); }, {missing.c_str()});
  fs::remove_all(dir);
}

}  // namespace
}  // namespace advgrad::report
