// The figures of input gradients (adversarial_grid, saliency_figure), the
// image grid they are built on, tensors as rasters and the colour maps:
// sizes, the colours that say what a tile shows, colour bars, captions, and
// the errors each names. Figures are drawn from fixed random inputs; set
// ADVGRAD_FIGURE_DIR to keep them.
#include <cmath>
#include <cstdio>
#include <random>

#include "advgrad/core/generator.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/data/dataset.h"
#include "advgrad/report/figures.h"
#include "advgrad/report/image_grid.h"
#include "advgrad/report/raster.h"
#include "expect_error.h"
#include "report/figure_testing.h"

namespace advgrad::report {
namespace {

using advgrad::testing::expect_error;
using test::count_if_pixel;
using test::render;

auto red = [](Rgb c) { return c.r > 180 && c.g < 80 && c.b < 80; };
auto blue = [](Rgb c) { return c.b > 180 && c.r < 80 && c.g < 100; };

struct GridInputs {
  Tensor x, x_adv, labels, logits;
};

// n grey h x w images at 0.5, moved by `delta`, all labelled and predicted 1 of 3.
GridInputs grid_inputs(std::int64_t n, double delta, DType dtype = DType::Float32, std::int64_t h = 5,
                       std::int64_t w = 6) {
  GridInputs g;
  g.x = full({n, 1, h, w}, 0.5, {.dtype = dtype});
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
    const GridInputs g = grid_inputs(n, 0.1, DType::Float32, 28, 28);
    return adversarial_grid(g.x, g.x_adv, g.labels, g.logits, g.logits, names, {.max_rows = max_rows}).height();
  };
  const double h1 = height_for(1, 8), h2 = height_for(2, 8), h3 = height_for(3, 8);
  EXPECT_NEAR(h3 - h2, h2 - h1, 1e-9);
  EXPECT_GT(h2 - h1, 28 * 3 + 2 * 12) << "a tile and its two caption lines";
  EXPECT_EQ(height_for(5, 2), h2);
  const GridInputs g = grid_inputs(2, 0.1);
  EXPECT_GE(adversarial_grid(g.x, g.x_adv, g.labels, g.logits, g.logits, names, {.scale = 3}).width(), 3 * 6 * 3);
}

TEST(FiguresGrid, PositivePerturbationIsRedNegativeIsBlueWithAColourBar) {
  // The same figure but for the sign of delta: the perturbation tile (6x5 at
  // scale 3) turns from all blue to all red; the colour bar stays.
  for (DType dtype : {DType::Float32, DType::Float64}) {
    Image im[2];
    for (int k = 0; k < 2; ++k) {
      const GridInputs g = grid_inputs(1, k == 0 ? 0.05 : -0.05, dtype);
      const Figure f = adversarial_grid(g.x, g.x_adv, g.labels, g.logits, g.logits, {}, {.scale = 3, .title = "FGSM"});
      im[k] = render(f, 1);
    }
    EXPECT_EQ(count_if_pixel(im[0], red) - count_if_pixel(im[1], red), 18 * 15);
    EXPECT_EQ(count_if_pixel(im[1], blue) - count_if_pixel(im[0], blue), 18 * 15);
    EXPECT_GT(count_if_pixel(im[0], blue), 20) << "the colour bar's blue end";
    EXPECT_GT(count_if_pixel(im[1], red), 20) << "the colour bar's red end";
  }
  // Non-contiguous RGB input (a permuted NHWC tensor) with a known eps: x - eps is all blue.
  Tensor x = full({2, 4, 4, 3}, 0.25).permute({0, 3, 1, 2});
  const Tensor logits = from_vector(std::vector<double>{1, 0, 0, 1}, {2, 2});
  const Tensor labels = from_vector(std::vector<std::int64_t>{0, 0}, {2});
  const AdversarialGridOptions o{.scale = 2, .title = "PGD eps 0.03", .eps = 0.03};
  const Image moved = render(adversarial_grid(x, x - 0.03, labels, logits, logits, {"cat", "dog"}, o));
  const Image still = render(adversarial_grid(x, x, labels, logits, logits, {"cat", "dog"}, o));
  EXPECT_EQ(count_if_pixel(moved, blue) - count_if_pixel(still, blue), 2 * 8 * 8);
}

TEST(FiguresGrid, FromRealDigitsWithCaptionsAndSvg) {
  // Synthetic digits and an FGSM-like step of fixed random signs.
  const data::Dataset digits = data::make_synthetic_digits(4, 6, 3).test;
  const Tensor x = digits.images_tensor({0, 1, 2, 3, 4, 5}), y = digits.labels_tensor({0, 1, 2, 3, 4, 5});
  Generator gen(9);
  const Tensor x_adv = clamp(x + 0.1 * sign(randn(x.shape(), gen)), 0.0, 1.0);
  const Tensor clean = 4.0 * one_hot(y, 10) + 0.3 * randn({6, 10}, gen);
  const Tensor adv = 2.0 * randn({6, 10}, gen);
  const Figure f = adversarial_grid(x, x_adv, y, clean, adv, {}, {.title = "FGSM eps 0.100 on synthetic digits", .eps = 0.1});
  test::expect_valid_svg(f);
  const Image im = render(f, 2);
  EXPECT_GT(count_if_pixel(im, [](Rgb c) { return c.r > 180 && c.g < 60 && c.b < 60; }), 10) << "a wrong, red caption";
  test::keep(f, "adversarial_grid");
}

TEST(FiguresGrid, PhotoCaptionsSayLabelAndDeltaInUnitsOf255) {
  // A photo attack's row: delta 2/255 is written as such rather than 0.00784,
  // the clean tile's label word is the caller's, and a targeted row names its
  // target (the SVG holds glyphs as paths, so captions are checked by their
  // text function and their pixels).
  EXPECT_EQ(delta_caption(2.0 / 255, 255), "max |δ| 2.00/255");
  EXPECT_EQ(delta_caption(2.0 / 255, 0), "max |δ| 0.00784");
  const Tensor x = full({1, 3, 4, 4}, 0.5);
  const Tensor logits = from_vector(std::vector<double>{2, 0}, {1, 2});
  const Tensor labels = from_vector(std::vector<std::int64_t>{0}, {1});
  AdversarialGridOptions o{.eps = 2.0 / 255};
  const auto drawn = [&] { return adversarial_grid(x, x + 2.0 / 255, labels, logits, logits, {"hog", "dog"}, o).png(1); };
  const std::string plain = drawn();
  EXPECT_EQ(drawn(), plain) << "the same figure draws the same pixels";
  o.label_word = "label";
  const std::string labelled = drawn();
  EXPECT_NE(labelled, plain) << "'label hog' instead of 'true hog'";
  o.targets = {1};
  EXPECT_NE(drawn(), labelled) << "a 'target dog' line under the adversarial tile";
  o.targets = {2};
  expect_error([&] { drawn(); }, {"target 2", "[0, 2)"});
  o.targets = {0, 1};
  expect_error([&] { drawn(); }, {"2 targets for 1 examples"});
  o.targets = {};
  o.delta_denominator = -1;
  expect_error([&] { adversarial_grid(x, x, labels, logits, logits, {}, o); }, {"delta_denominator"});
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

TEST(FiguresSaliency, HeatMapIsNormalisedPerExampleWithAColourBar) {
  // Example 0: one hot pixel among zeros; example 1: the same map 1000x larger.
  std::vector<double> m(2 * 3 * 4 * 4, 0.0);
  m[5] = -2.0;
  m[48 + 5] = 2000.0;
  const Tensor maps = from_vector(m, {2, 3, 4, 4}, {.dtype = DType::Float64});
  const Tensor x = full({2, 1, 4, 4}, 0.5);
  const Figure f = saliency_figure(x, maps, {"a", "b"}, {.scale = 4, .title = "saliency"});
  const Image im = render(f, 1);
  // Each heat tile: 15 black pixels (16 px each at scale 4), one white one.
  EXPECT_GE(count_if_pixel(im, [](Rgb c) { return c == Rgb{0, 0, 0}; }), 2 * 15 * 16);
  // The colour bar: the heat map's yellow, which no tile has.
  EXPECT_GT(count_if_pixel(im, [](Rgb c) { return c.r > 240 && c.g > 150 && c.g < 235 && c.b < 40; }), 20);
  const Figure one = saliency_figure(x.narrow(0, 0, 1), maps.narrow(0, 0, 1), {});
  EXPECT_LT(one.height(), f.height());
  expect_error([&] { saliency_figure(x, maps.narrow(2, 0, 3), {}); }, {"saliency_figure", "[2, 3, 3, 4]"});
  expect_error([&] { saliency_figure(x, maps, {"only one"}); }, {"saliency_figure", "1 row labels"});
  // A smooth map, to look at.
  const Tensor ramp = arange(16, {.dtype = DType::Float32}).reshape({1, 4, 4}).expand({2, 4, 4});
  test::keep(saliency_figure(x, ramp, {"first example, a long label that wraps", "second"}, {.title = "|dL/dx|"}),
             "saliency");
}

// PyTorch's FGSM tutorial view: a row per eps, "true -> predicted (confidence)"
// under each tile, red once the prediction changed.
TEST(FiguresImageGrid, EpsRowsOfPredictionsAndTargetedHitsAndMisses) {
  const data::Dataset digits = data::make_synthetic_digits(4, 5, 1).test;
  const std::vector<double> eps{0, 0.05, 0.1, 0.15, 0.2, 0.3};
  std::mt19937 rng(4);
  std::uniform_int_distribution<int> cls(0, 9);
  std::uniform_real_distribution<double> conf(0.5, 0.99);
  Generator gen(2);
  std::vector<std::vector<GridTile>> rows;
  std::vector<std::string> labels;
  for (double e : eps) {
    char label[32];
    std::snprintf(label, sizeof label, "eps = %.2f", e);
    labels.push_back(label);
    rows.emplace_back();
    for (std::int64_t i = 0; i < digits.size(); ++i) {
      const Tensor x = digits.images_tensor({i}).select(0, 0);
      const Tensor moved = clamp(x + e * sign(randn(x.shape(), gen)), 0.0, 1.0);
      const std::int64_t truth = digits.labels[i];
      const std::int64_t pred = e < 0.1 || cls(rng) < 3 ? truth : cls(rng);
      char caption[48];
      std::snprintf(caption, sizeof caption, "%lld → %lld (%.0f%%)", static_cast<long long>(truth),
                    static_cast<long long>(pred), 100 * conf(rng));
      rows.back().push_back({tensor_to_image(moved), {{caption, pred == truth ? kInk : kWrong}}});
    }
  }
  const Figure tutorial = image_grid(rows, {.title = "FGSM: true → predicted (confidence)", .row_labels = labels});
  test::expect_valid_svg(tutorial);
  const Image im = render(tutorial, 2);
  EXPECT_GT(count_if_pixel(im, [](Rgb c) { return c.r > 180 && c.g < 60 && c.b < 60; }), 10) << "a red caption";
  EXPECT_EQ(im.width(), static_cast<int>(std::ceil(2 * tutorial.width() - 1e-9)));
  test::keep(tutorial, "grid_fgsm_tutorial");

  // "Make everything a 3": one row, hit (green) or miss (red) under each.
  std::vector<GridTile> row;
  for (std::int64_t i = 0; i < digits.size(); ++i) {
    const bool hit = i % 3 != 1;
    row.push_back({tensor_to_image(digits.images_tensor({i}).select(0, 0)),
                   {{hit ? "hit: 3 (91%)" : "miss: 7 (64%)", hit ? kRight : kWrong}, {"was a " + std::to_string(digits.labels[i]), kMuted}}});
  }
  const Figure targeted = image_grid({row}, {.title = "Targeted PGD: make everything a 3",
                                             .column_headers = {"#0", "#1", "#2", "#3", "#4"}, .scale = 2});
  const Image t = render(targeted, 2);
  EXPECT_GT(count_if_pixel(t, [](Rgb c) { return c.g > 100 && c.r < 60 && c.b < 90; }), 10) << "a green caption";
  test::keep(targeted, "grid_targeted");
}

TEST(FiguresImageGrid, RejectsBadLayouts) {
  const GridTile tile{Image(4, 4), {}};
  expect_error([] { image_grid({}, {}); }, {"image_grid", "no tiles"});
  expect_error([&] { image_grid({{tile}}, {.scale = 0}); }, {"image_grid", "scale"});
  expect_error([&] { image_grid({{tile}}, {.row_labels = {"a", "b"}}); }, {"image_grid", "2 row labels for 1 rows"});
  expect_error([&] { image_grid({{tile}}, {.column_headers = {"a", "b"}}); }, {"image_grid", "2 column headers"});
  expect_error([&] { image_grid({{{Image(4, 4), {{"1"}, {"2"}, {"3"}}}}}, {}); }, {"image_grid", "3 caption lines"});
  EXPECT_GT(image_grid({{tile, GridTile{}}}, {}).width(), 0) << "an empty image leaves a blank place";
}

TEST(FiguresColorMaps, EndsAndMiddles) {
  EXPECT_EQ(diverging_color(0), (Rgb{255, 255, 255}));
  EXPECT_EQ(diverging_color(1), (Rgb{200, 20, 20}));
  EXPECT_EQ(diverging_color(-2), (Rgb{20, 60, 210}));
  EXPECT_EQ(heat_color(0), (Rgb{0, 0, 0}));
  EXPECT_EQ(heat_color(1), (Rgb{255, 255, 255}));
  EXPECT_EQ(map_color(ColorMap::Diverging, 0.5), (Rgb{255, 255, 255}));
  EXPECT_EQ(map_color(ColorMap::Heat, NAN), (Rgb{0, 0, 0}));
  EXPECT_EQ(map_color(ColorMap::Blues, 1), (Rgb{8, 48, 107}));
}

TEST(FiguresTensor, TensorToImageKeepsPixelsAndChecksShape) {
  // RGB [3, 1, 2] from a permuted float64 [1, 2, 3] (non-contiguous).
  const Tensor hwc = from_vector(std::vector<double>{1, 0, 0, 0, 0.5, 1}, {1, 2, 3}, {.dtype = DType::Float64});
  const Image im = tensor_to_image(hwc.permute({2, 0, 1}));
  ASSERT_EQ(im.width(), 2);
  ASSERT_EQ(im.height(), 1);
  EXPECT_EQ(im.at(0, 0), (Rgb{255, 0, 0}));
  EXPECT_EQ(im.at(1, 0), (Rgb{0, 128, 255}));
  const Image grey = tensor_to_image(full({1, 2, 2}, 2.0));  // clamped to 1
  EXPECT_EQ(grey.at(1, 1), (Rgb{255, 255, 255}));
  expect_error([] { tensor_to_image(full({2, 2, 2}, 0.5)); }, {"tensor_to_image", "[2, 2, 2]"});
  expect_error([] { tensor_to_image(full({1, 2, 2}, 0.5, {.dtype = DType::Int64})); }, {"tensor_to_image", "int64"});
  expect_error([] { tensor_to_image(full({1, 1, 1}, NAN)); }, {"tensor_to_image", "non-finite"});
}

}  // namespace
}  // namespace advgrad::report
