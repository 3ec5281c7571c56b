// Common corruptions and the image operations behind them: determinism, shape
// and range, severity that grows the change, a hand-checked rotated pixel, a
// blur that keeps a constant image constant, and accuracy that falls with
// severity on a trained model.
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "advgrad/data/image_ops.h"
#include "advgrad/eval/corruptions.h"
#include "advgrad/nn/models.h"
#include "advgrad/report/image_grid.h"
#include "advgrad/report/raster.h"
#include "advgrad/training/trainer.h"
#include "expect_error.h"
#include "training/small_mlp.h"

namespace advgrad::eval {
namespace {

using advgrad::testing::expect_error;

// mean |corrupted - clean| over all pixels, in [0, 255] units.
double mean_abs_change(const data::Dataset& a, const data::Dataset& b) {
  double total = 0;
  for (std::size_t i = 0; i < a.pixels.size(); ++i) total += std::abs(int(a.pixels[i]) - int(b.pixels[i]));
  return total / static_cast<double>(a.pixels.size());
}

// A w x h grey image whose pixel (x, y) is f(x, y), one example labelled 0.
template <typename F>
data::Dataset one_image(std::int64_t w, std::int64_t h, F f) {
  data::Dataset d;
  d.name = "tiny";
  d.width = w;
  d.height = h;
  for (std::int64_t y = 0; y < h; ++y)
    for (std::int64_t x = 0; x < w; ++x) d.pixels.push_back(static_cast<std::uint8_t>(f(x, y)));
  d.labels = {0};
  return d;
}

TEST(Corruptions, DeterministicAndShapePreserving) {
  const data::Dataset clean = data::make_synthetic_digits(8, 40, 3).test;
  for (const std::string& c : corruption_names()) {
    const data::Dataset a = corrupt(clean, c, 3, 7), b = corrupt(clean, c, 3, 7);
    EXPECT_EQ(a.pixels, b.pixels) << c << ": same seed, same bytes";
    EXPECT_EQ(a.pixels.size(), clean.pixels.size()) << c;
    EXPECT_EQ(a.labels, clean.labels) << c;
    EXPECT_EQ(a.channels, clean.channels);
    EXPECT_EQ(a.height, clean.height);
    EXPECT_EQ(a.width, clean.width);
    EXPECT_NE(a.pixels, clean.pixels) << c << " changed nothing";
    // The prefix of the corrupted set is the corrupted prefix (per-image generators).
    EXPECT_EQ(corrupt(clean.head(5), c, 3, 7).pixels, a.head(5).pixels) << c;
  }
  EXPECT_NE(corrupt(clean, "gaussian_noise", 3, 7).pixels, corrupt(clean, "gaussian_noise", 3, 8).pixels);
  EXPECT_NE(corrupt(clean, "shift", 3, 7).pixels, corrupt(clean, "shift", 3, 8).pixels);
}

TEST(Corruptions, SeverityIncreasesTheChange) {
  const data::Dataset clean = data::make_synthetic_digits(8, 40, 4).test;
  for (const std::string& c : corruption_names()) {
    double previous = 0;
    for (int s = 1; s <= 5; ++s) {
      const double change = mean_abs_change(corrupt(clean, c, s, 1), clean);
      EXPECT_GT(change, previous) << c << " severity " << s;
      previous = change;
    }
  }
}

TEST(Corruptions, RotationMatchesAHandCheckedPixel) {
  // A 5x5 ramp I(x, y) = 5 + 10 x + 40 y; centre (2, 2). Severity 3 is 30 degrees
  // counter-clockwise, so output (x, y) samples the input at
  //   (2 + cos30 dx - sin30 dy, 2 + sin30 dx + cos30 dy),   d = (x - 2, y - 2).
  const data::Dataset d = one_image(5, 5, [](std::int64_t x, std::int64_t y) { return 5 + 10 * x + 40 * y; });
  EXPECT_EQ(corruption_parameter("rotation", 3), 30);
  const data::Dataset r = corrupt(d, "rotation", 3, 0);
  auto px = [&](int x, int y) { return int(r.pixels[static_cast<std::size_t>(y * 5 + x)]); };
  // Top middle (2, 0): d = (0, -2) -> source (2 + 2 sin30, 2 - 2 cos30) = (3, 0.268);
  // bilinear on a ramp is exact: 5 + 30 + 40 * (2 - sqrt 3) = 45.72 -> 46.
  EXPECT_EQ(px(2, 0), 46);
  EXPECT_EQ(px(2, 2), 105) << "the centre stays";
  // Zero fill. With t = 2 - sqrt 3 = 0.268 (and 1 - t = 0.732):
  // corner (0, 0): d = (-2, -2) -> source (1 + t, -1 + t); the row y = -1 is outside, so
  //   value = t * [(1 - t) I(1, 0) + t I(2, 0)] = t * (0.732 * 15 + 0.268 * 25) = 4.74 -> 5;
  // corner (4, 0): d = (2, -2) -> source (5 - t, 1 + t); the column x = 5 is outside, so
  //   value = t * [(1 - t) I(4, 1) + t I(4, 2)] = t * (0.732 * 85 + 0.268 * 125) = 25.65 -> 26.
  EXPECT_EQ(px(0, 0), 5);
  EXPECT_EQ(px(4, 0), 26);
  // Counter-clockwise as seen on screen (y down): by 90 degrees, a dot right of
  // the centre of a 7x7 image moves above it.
  std::vector<float> dot(49, 0.0f);
  dot[3 * 7 + 5] = 1;  // (x, y) = (5, 3); the centre is (3, 3)
  const std::vector<float> up = data::rotate_image(dot.data(), {1, 7, 7}, 90);
  EXPECT_NEAR(up[1 * 7 + 3], 1.0, 1e-6) << "(3, 1)";
  EXPECT_NEAR(up[3 * 7 + 5], 0.0, 1e-6);
  // The same op on floats, for a rotation by a full turn: nothing moves.
  std::vector<float> img;
  for (auto v : d.pixels) img.push_back(v / 255.0f);
  const std::vector<float> turned = data::rotate_image(img.data(), {1, 5, 5}, 360);
  for (std::size_t i = 0; i < img.size(); ++i) EXPECT_NEAR(turned[i], img[i], 1e-5) << i;
}

TEST(Corruptions, BlurKeepsAConstantImageAndShiftMovesPixels) {
  const data::Dataset flat = one_image(9, 7, [](std::int64_t, std::int64_t) { return 100; });
  for (int s = 1; s <= 5; ++s)
    for (auto v : corrupt(flat, "gaussian_blur", s, 0).pixels) ASSERT_EQ(int(v), 100) << "severity " << s;
  const std::vector<double> k = data::gaussian_kernel(1.0);
  EXPECT_EQ(k.size(), 7u);
  double total = 0;
  for (double v : k) total += v;
  EXPECT_NEAR(total, 1.0, 1e-12);
  EXPECT_GT(k[3], k[2]);
  const std::vector<float> img{1, 2, 3, 4, 5, 6};  // 2 rows x 3 columns
  EXPECT_EQ(data::shift_image(img.data(), {1, 2, 3}, 1, 1), (std::vector<float>{0, 0, 0, 0, 1, 2}));
  EXPECT_EQ(data::shift_image(img.data(), {1, 2, 3}, -1, 0), (std::vector<float>{2, 3, 0, 5, 6, 0}));
  const std::vector<float> c = data::contrast_image(img.data(), {1, 2, 3}, 0.5);  // mean 3.5
  EXPECT_FLOAT_EQ(c[0], 2.25f);
  EXPECT_FLOAT_EQ(c[5], 4.75f);
}

// One digit under every corruption at severities 1..5 (rows), kept as
// corruptions.svg/.png when ADVGRAD_FIGURE_DIR is set, for looking at what the
// severities mean.
TEST(Corruptions, FigureOfTheSeverities) {
  const data::Dataset clean = data::make_synthetic_digits(4, 4, 6).test.head(1);
  const auto& names = corruption_names();
  std::vector<std::vector<report::GridTile>> rows;
  for (const std::string& name : names) {
    rows.push_back({{report::tensor_to_image(clean.images_tensor({0}).select(0, 0)), {}}});
    for (int s = 1; s <= 5; ++s)
      rows.back().push_back({report::tensor_to_image(corrupt(clean, name, s, 0).images_tensor({0}).select(0, 0)), {}});
  }
  for (const auto& row : rows) EXPECT_NE(row[0].image.rgb(), row[5].image.rgb()) << "severity 5 changes the image";
  const report::Figure figure = report::image_grid(
      rows, {.title = "One digit under each corruption",
             .column_headers = {"clean", "severity 1", "2", "3", "4", "5"},
             .row_labels = names});
  const report::Image png = report::decode_png(figure.png(1), "corruptions");
  EXPECT_EQ(png.width(), static_cast<int>(std::ceil(figure.width())));
  EXPECT_GT(png.height(), static_cast<int>(names.size()) * 28 * 3);
  if (const char* dir = std::getenv("ADVGRAD_FIGURE_DIR")) report::write_figure(figure, dir, "corruptions");
}

TEST(Corruptions, AccuracyFallsWithSeverity) {
  const data::Split data = data::make_synthetic_digits(400, 150, 1);
  auto model = training::test::train_small_mlp(data, 2);
  const auto results = corruption_accuracy(*model, data.test, corruption_names(), {1, 5}, 0);
  ASSERT_EQ(results.size(), 2 * corruption_names().size());
  for (std::size_t i = 0; i < results.size(); i += 2) {
    EXPECT_EQ(results[i].severity, 1);
    EXPECT_EQ(results[i + 1].corruption, results[i].corruption);
    EXPECT_LT(results[i + 1].accuracy, results[i].accuracy) << results[i].corruption;
  }
  const double clean = evaluate(*model, data.test).accuracy;
  EXPECT_LT(mean_corruption_accuracy(results), clean);
  EXPECT_EQ(corruption_accuracy(*model, data.test, {"contrast"}, {2}, 0, 20).size(), 1u);
  const std::string csv = corruption_results_to_csv(results);
  EXPECT_EQ(csv.rfind("corruption,severity,accuracy\n", 0), 0u);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), static_cast<long>(results.size()) + 1);
  EXPECT_NE(corruption_results_to_json(results).find("\"severity\": 5"), std::string::npos);
}

TEST(Corruptions, BadInputNamesTheFunction) {
  const data::Dataset d = data::make_synthetic_digits(4, 4, 0).test;
  expect_error([&] { corrupt(d, "fog", 1, 0); }, {"corrupt", "unknown corruption 'fog'", "gaussian_noise"});
  expect_error([&] { corrupt(d, "contrast", 0, 0); }, {"corrupt", "severity", "1..5", "0"});
  expect_error([&] { corrupt(d, "contrast", 6, 0); }, {"corrupt", "severity", "6"});
  expect_error([&] { corrupt(d.head(0), "contrast", 1, 0); }, {"corrupt", "empty"});
  nn::ModelConfig c;
  c.arch = "mlp";
  auto model = nn::build_model(c);
  expect_error([&] { corruption_accuracy(*model, d, {"blur"}, {1}, 0); }, {"corruption_accuracy", "unknown corruption"});
  expect_error([&] { corruption_accuracy(*model, d, {"shift"}, {9}, 0); }, {"corruption_accuracy", "severity"});
  expect_error([&] { corruption_accuracy(*model, d.head(0), {"shift"}, {1}, 0); }, {"corruption_accuracy", "empty"});
  expect_error([&] { corruption_parameter("rotation", -1); }, {"corruption_parameter", "severity"});
}

}  // namespace
}  // namespace advgrad::eval
