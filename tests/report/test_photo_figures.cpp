// The figures of `advgrad photos` (report/photo_figures.h): the captioned
// photo grid (and its empty form), the corruption x severity heat map, and
// the corruption examples: each a valid SVG whose PNG shows what it should.
#include "advgrad/report/photo_figures.h"

#include "advgrad/eval/photo_corruptions.h"
#include "expect_error.h"
#include "report/figure_testing.h"
#include "testing.h"

namespace advgrad::report {
namespace {

using advgrad::testing::expect_error;

Tensor red(std::int64_t h, std::int64_t w) { return cat({full({1, h, w}, 1.0), zeros({2, h, w})}, 0); }
bool pure_red(Rgb c) { return c.r == 255 && c.g == 0 && c.b == 0; }

TEST(PhotoFigures, PhotoGridDrawsEveryPhotoAndTheEmptyCase) {
  // Three pure-red 23 x 19 photos in rows of 2 at scale 2: 3 x (46 x 38) red pixels.
  std::vector<CaptionedPhoto> photos;
  for (int i = 0; i < 3; ++i) photos.push_back({red(19, 23), {{"photo " + std::to_string(i), kWrong}}});
  const Figure f = photo_grid(photos, "three red photos", 2, 2);
  test::expect_valid_svg(f);
  test::keep(f, "photo_grid");
  EXPECT_EQ(test::count_if_pixel(test::render(f), pure_red), 3 * 46 * 38);
  const Figure none = photo_grid({}, "nothing wrong");
  test::expect_valid_svg(none);
  EXPECT_NE(none.svg().find("<svg"), std::string::npos);
  expect_error([&] { photo_grid(photos, "t", 0); }, {"photo_grid", "columns must be >= 1"});
}

TEST(PhotoFigures, StabilityHeatMapPutsEachRowInItsCell) {
  std::vector<eval::PhotoStability> rows{{"clean", 0, 4, 1.0, 0.6, 0.6, 4, 0.75}};
  for (const char* c : {"fog", "contrast"})
    for (int s = 1; s <= 5; ++s)
      rows.push_back({c, s, 4, 1.0 - 0.2 * s, 0.5, 0.5, 4, 0.25 * (s % 2)});
  for (StabilityMeasure m : {StabilityMeasure::Unchanged, StabilityMeasure::CleanClassProb, StabilityMeasure::Acceptable}) {
    const Figure f = stability_heat_map(rows, m, "stability");
    test::expect_valid_svg(f);
    test::keep(f, "stability_heat_map");
    EXPECT_GT(f.width(), 200);
  }
  // The darkest cell (100% on the blue scale) appears only where a value is 1:
  // nowhere for Unchanged (the best corrupted row is 80%).
  const Image unchanged = test::render(stability_heat_map(rows, StabilityMeasure::Unchanged, "u"));
  const Image with_full = [&] {
    std::vector<eval::PhotoStability> r = rows;
    r[1].unchanged = 1.0;
    return test::render(stability_heat_map(r, StabilityMeasure::Unchanged, "u"));
  }();
  const Rgb darkest = map_color(ColorMap::Blues, 1.0);
  const auto dark = [&](Rgb c) { return test::near(c, darkest, 2); };
  EXPECT_GT(test::count_if_pixel(with_full, dark), test::count_if_pixel(unchanged, dark) + 100);
  // Only the measured severities are columns: severities 1 and 5 give a narrower figure.
  std::vector<eval::PhotoStability> two{rows[0], rows[1], rows[5]};
  const Figure narrow = stability_heat_map(two, StabilityMeasure::Unchanged, "u");
  EXPECT_LT(narrow.width(), stability_heat_map(rows, StabilityMeasure::Unchanged, "u").width());
  expect_error([&] { stability_heat_map({rows[0]}, StabilityMeasure::Unchanged, "t"); },
               {"stability_heat_map", "no corrupted rows"});
}

TEST(PhotoFigures, CorruptionExamplesShowEveryCorruptedTile) {
  const Tensor photo = advgrad::testing::random_tensor({3, 17, 21}, 91, DType::Float32, 0, 1);
  const std::vector<std::string> corruptions{"brightness", "jpeg_compression"};
  const Figure f = corruption_examples(photo, corruptions, {1, 5}, 0, 0, "examples", 1);
  test::expect_valid_svg(f);
  test::keep(f, "corruption_examples");
  // The brightness-5 tile is drawn pixel for pixel: its brightest pixel is there.
  const Image tile = tensor_to_image(eval::corrupt_photo(photo, "brightness", 5, 0, 0));
  const Image page = test::render(f);
  Rgb brightest = tile.at(0, 0);
  for (int y = 0; y < tile.height(); ++y)
    for (int x = 0; x < tile.width(); ++x)
      if (tile.at(x, y).r + tile.at(x, y).g + tile.at(x, y).b > brightest.r + brightest.g + brightest.b)
        brightest = tile.at(x, y);
  EXPECT_GE(test::count_if_pixel(page, [&](Rgb c) { return c == brightest; }), 1);
  EXPECT_GT(f.height(), 2 * 17);
}

}  // namespace
}  // namespace advgrad::report
