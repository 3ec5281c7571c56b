// Charts: line charts (series colours, interval bands, a legend that keeps
// off the data), bar charts (class names that fit or turn, whiskers), heat
// maps and confusion matrices (numbers in cells, a colour bar), drawn from
// fixed random data; and the errors each names.
#include <random>

#include "advgrad/report/bar_chart.h"
#include "advgrad/report/chart_parts.h"
#include "advgrad/report/heat_map.h"
#include "advgrad/report/line_chart.h"
#include "expect_error.h"
#include "report/figure_testing.h"

namespace advgrad::report {
namespace {

using advgrad::testing::expect_error;
using test::count_if_pixel;
using test::ink;
using test::near;
using test::render;

const std::vector<std::string> kFashion{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                        "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

// Accuracy falling with eps, with a 95% interval of +-2 binomial standard errors
// on n images (clipped to [0, 1]), from fixed random drops.
ChartSeries accuracy_curve(const std::string& name, double start, double fall, unsigned seed, double n = 200) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.5, 1.5);
  ChartSeries s{name, {}, {}, {}, {}};
  double acc = start;
  for (int i = 0; i <= 6; ++i) {
    const double half = 2 * std::sqrt(acc * (1 - acc) / n);
    s.x.push_back(0.05 * i);
    s.y.push_back(acc);
    s.y_lo.push_back(std::max(0.0, acc - half));
    s.y_hi.push_back(std::min(1.0, acc + half));
    acc = std::max(0.0, acc - fall * u(rng));
  }
  return s;
}

TEST(ChartLine, DrawsEachSeriesItsBandAndALegend) {
  const std::vector<ChartSeries> series{accuracy_curve("standard", 0.91, 0.2, 1),
                                        accuracy_curve("PGD-AT", 0.84, 0.06, 2)};
  const ChartOptions opts{.title = "Robust accuracy (PGD-20), Fashion-MNIST", .x_label = "eps (pixel units)",
                          .y_label = "accuracy"};
  const Figure f = line_chart(series, opts);
  EXPECT_EQ(f.width(), 640);
  EXPECT_EQ(f.height(), 420);
  test::expect_valid_svg(f);
  const Image im = render(f, 2);
  auto count = [&](Rgb want, int tol) { return count_if_pixel(im, [&](Rgb c) { return near(c, want, tol); }); };
  EXPECT_GT(count({0, 114, 178}, 4), 200) << "first series colour";
  EXPECT_GT(count({213, 94, 0}, 4), 200) << "second series colour";
  EXPECT_GT(count({209, 229, 240}, 4), 500) << "the first series' band: its colour at 18% over white";
  EXPECT_GT(count_if_pixel(im, ink, 0, 0, im.width(), 60), 200) << "the title";
  test::keep(f, "chart_line");
  // Whiskers instead of a band.
  ChartOptions whiskers = opts;
  whiskers.intervals = IntervalStyle::Whiskers;
  const Image w = render(line_chart(series, whiskers), 2);
  EXPECT_LT(5 * count_if_pixel(w, [](Rgb c) { return near(c, {209, 229, 240}, 4); }), count({209, 229, 240}, 4));
}

TEST(ChartLine, LegendGoesBelowThePlotWhenNoCornerIsFree) {
  // A falling curve leaves the top-right corner free...
  const ChartOptions opts{.title = "t", .x_label = "x", .y_label = "y"};
  const Figure free = line_chart({{"falling", {0, 1}, {0.9, 0.05}, {}, {}}, {"flat", {0, 1}, {0.5, 0.45}, {}, {}}}, opts);
  // ...zigzags over the whole plot leave none.
  std::vector<ChartSeries> busy;
  for (int k = 0; k < 3; ++k) {
    ChartSeries s{"zigzag " + std::to_string(k), {}, {}, {}, {}};
    for (int i = 0; i <= 40; ++i) {
      s.x.push_back(i);
      s.y.push_back((i + k) % 2 == 0 ? 0.02 : 0.98);
    }
    busy.push_back(s);
  }
  const Figure crowded = line_chart(busy, opts);
  // The x axis (the row with the most ink) moves up to make room for the legend's rows.
  auto axis_row = [](const Image& im) {
    int best = 0, best_count = -1;
    for (int y = 0; y < im.height(); ++y) {
      const int n = count_if_pixel(im, ink, 0, y, im.width(), y + 1);
      if (n > best_count) best = y, best_count = n;
    }
    return best;
  };
  EXPECT_GT(axis_row(render(free)), axis_row(render(crowded)) + 12);
  test::keep(crowded, "chart_line_crowded");
}

TEST(ChartLine, RejectsBadData) {
  const std::vector<ChartSeries> series{accuracy_curve("a", 0.9, 0.1, 3)};
  const ChartOptions opts{.title = "t"};
  expect_error([&] { line_chart({}, opts); }, {"line_chart", "no series"});
  expect_error([&] { line_chart({{"s", {0, 1}, {0.5}, {}, {}}}, opts); }, {"line_chart", "'s'", "2 x values and 1 y"});
  expect_error([&] { line_chart({{"s", {0, 1}, {0.5, NAN}, {}, {}}}, opts); }, {"line_chart", "non-finite"});
  expect_error([&] { line_chart({{"s", {0, 1}, {0.5, 0.6}, {0.4}, {0.7}}}, opts); }, {"line_chart", "1 y_lo"});
  expect_error([&] { line_chart({{"s", {0}, {0.5}, {0.6}, {0.7}}}, opts); }, {"line_chart", "does not hold"});
  expect_error([&] { line_chart(series, {.y_min = 1, .y_max = 1}); }, {"line_chart", "y range"});
  expect_error([&] { line_chart(series, {.width = 100}); }, {"line_chart", "100x420"});
  const Figure single = line_chart({{"one point", {0.1}, {0.5}, {0.4}, {0.6}}}, {.y_percent = false, .width = 200, .height = 150});
  EXPECT_EQ(single.width(), 200);
}

TEST(ChartBar, ClassNamesTurnWhenTheyDoNotFitAndWhiskersShow) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(0.3, 0.95);
  std::vector<BarSeries> series{{"standard", {}, {}, {}}, {"PGD-AT", {}, {}, {}}};
  for (auto& s : series)
    for (std::size_t i = 0; i < kFashion.size(); ++i) {
      const double v = u(rng);
      s.values.push_back(v);
      s.lo.push_back(v - 0.05);
      s.hi.push_back(std::min(1.0, v + 0.05));
    }
  const BarChartOptions opts{.title = "Accuracy per class under PGD", .y_label = "accuracy"};
  const Figure f = bar_chart(kFashion, series, opts);
  test::expect_valid_svg(f);
  const Image im = render(f, 2);
  EXPECT_GT(count_if_pixel(im, [](Rgb c) { return c == Rgb{0, 114, 178}; }), 2000);
  EXPECT_GT(count_if_pixel(im, [](Rgb c) { return c == Rgb{213, 94, 0}; }), 2000);
  // The names take more room below the axis than one line would: they turned.
  EXPECT_GT(count_if_pixel(im, ink, 0, im.height() - 2 * 50, im.width(), im.height() - 2 * 12), 300);
  test::keep(f, "chart_bar");
  // Few short names stay flat; one series needs no legend.
  const Figure flat = bar_chart({"clean", "FGSM", "PGD"}, {{"accuracy", {0.9, 0.4, 0.1}, {}, {}}}, {.title = "t"});
  test::keep(flat, "chart_bar_flat");
  EXPECT_GT(render(flat).width(), 0);
}

TEST(ChartBar, RejectsBadData) {
  const BarChartOptions opts{};
  expect_error([&] { bar_chart({}, {{"s", {}, {}, {}}}, opts); }, {"bar_chart", "no categories"});
  expect_error([&] { bar_chart({"a"}, {}, opts); }, {"bar_chart", "no series"});
  expect_error([&] { bar_chart({"a", "b"}, {{"s", {0.5}, {}, {}}}, opts); }, {"bar_chart", "'s'", "1 values for 2"});
  expect_error([&] { bar_chart({"a"}, {{"s", {INFINITY}, {}, {}}}, opts); }, {"bar_chart", "non-finite", "'a'"});
  expect_error([&] { bar_chart({"a"}, {{"s", {0.5}, {0.6}, {0.7}}}, opts); }, {"bar_chart", "does not hold"});
  expect_error([&] { bar_chart({"a"}, {{"s", {0.5}, {}, {}}}, {.y_min = 2, .y_max = 1}); }, {"bar_chart", "y range"});
}

TEST(ChartHeatMap, ConfusionMatrixPrintsCountsBesideAColourBar) {
  std::mt19937 rng(5);
  std::vector<std::vector<std::int64_t>> counts(10, std::vector<std::int64_t>(10));
  for (std::size_t r = 0; r < 10; ++r)
    for (std::size_t c = 0; c < 10; ++c) counts[r][c] = r == c ? 700 + rng() % 300 : rng() % 40;
  const Figure f = confusion_matrix(counts, kFashion, "Confusion matrix, standard model");
  test::expect_valid_svg(f);
  const Image im = render(f, 2);
  // The darkest blue: the diagonal's largest count and the top of the colour bar.
  const Rgb darkest = map_color(ColorMap::Blues, 1);
  EXPECT_GT(count_if_pixel(im, [&](Rgb c) { return c == darkest; }), 100);
  // The colour bar: a column right of the matrix runs from that blue down to near white.
  int bar_x = -1;
  for (int x = im.width() - 1; x >= 0 && bar_x < 0; --x)
    for (int y = 0; y < im.height() && bar_x < 0; ++y)
      if (test::near(im.at(x, y), darkest, 3)) bar_x = x;
  ASSERT_GE(bar_x, 0);
  int light = 0;
  for (int y = 0; y < im.height(); ++y) light += test::near(im.at(bar_x, y), map_color(ColorMap::Blues, 0), 6) ? 1 : 0;
  EXPECT_GT(light, 2) << "the bar reaches the low end of the map";
  EXPECT_GT(count_if_pixel(im, [](Rgb c) { return c.r > 240 && c.g > 240 && c.b > 240; }, 0, 0, bar_x - 40,
                           im.height()),
            1000);
  test::keep(f, "confusion_matrix");
  // A general heat map in percent, with a diverging map.
  const Figure h = heat_map({{0.1, -0.2}, {0.05, 0.3}}, {"row a", "row b"}, {"col a", "col b"},
                            {.title = "accuracy change", .scale_label = "change", .map = ColorMap::Diverging,
                             .lo = -0.3, .hi = 0.3, .decimals = 1, .percent = true});
  test::expect_valid_svg(h);
  test::keep(h, "heat_map");
}

TEST(ChartHeatMap, RejectsBadMatrices) {
  const HeatMapOptions o{};
  expect_error([&] { heat_map({}, {}, {}, o); }, {"heat_map", "empty"});
  expect_error([&] { heat_map({{1, 2}, {3}}, {"a", "b"}, {"x", "y"}, o); }, {"heat_map", "row 1 has 1"});
  expect_error([&] { heat_map({{1, 2}}, {"a"}, {"x"}, o); }, {"heat_map", "1 row and 1 column names"});
  expect_error([&] { heat_map({{1, NAN}}, {"a"}, {"x", "y"}, o); }, {"heat_map", "non-finite"});
  expect_error([&] { heat_map({{1}}, {"a"}, {"x"}, {.lo = 2, .hi = 1}); }, {"heat_map", "colour scale"});
  expect_error([&] { confusion_matrix({{1, -1}, {0, 1}}, {"a", "b"}); }, {"confusion_matrix", "negative"});
  expect_error([&] { confusion_matrix({{1}}, {"a", "b"}); }, {"confusion_matrix", "1 rows", "2 class names"});
  Figure f(200, 200);
  expect_error([&] { draw_color_bar(f, {.lo = 1, .hi = 1}, 0, 0, 100); }, {"color bar", "empty"});
  expect_error([&] { draw_color_bar(f, {}, 0, 0, 20); }, {"color bar", "below 60"});
}

}  // namespace
}  // namespace advgrad::report
