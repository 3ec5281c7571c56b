// Mining natural adversarial examples: only wrong predictions above the
// confidence threshold, most confident first, the same set a brute-force scan
// finds; and their figure. Set ADVGRAD_FIGURE_DIR to keep the PNG.
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/eval/corruptions.h"
#include "advgrad/eval/natural_adversarial.h"
#include "advgrad/nn/models.h"
#include "advgrad/report/natural_adversarial_grid.h"
#include "advgrad/training/trainer.h"
#include "expect_error.h"
#include "training/small_mlp.h"

namespace advgrad::eval {
namespace {

using advgrad::testing::expect_error;

TEST(NaturalAdversarial, ConfidentlyWrongSortedAndComplete) {
  data::Split data = data::make_synthetic_digits(400, 200, 5);
  auto model = training::test::train_small_mlp(data, 4);
  // The synthetic test digits are easy; rotated by 50 degrees (a common
  // corruption) they give the model confident mistakes to find.
  data.test = corrupt(data.test, "rotation", 5, 0);
  const double threshold = 0.5;
  const auto all = mine_natural_adversarials(*model, data.test, threshold, 0, 64);
  ASSERT_GE(all.size(), 3u) << "rotated digits should fool the MLP with confidence";
  // Brute force, one example at a time.
  std::int64_t expected = 0;
  {
    model->eval();
    NoGradGuard no_grad;
    for (std::int64_t i = 0; i < data.test.size(); ++i) {
      const auto p = softmax((*model)(data.test.images_tensor({i})), 1).to_double_vector();
      std::size_t best = 0;
      for (std::size_t k = 1; k < p.size(); ++k)
        if (p[k] > p[best]) best = k;
      expected += static_cast<std::int64_t>(best) != data.test.labels[i] && p[best] >= threshold;
    }
  }
  EXPECT_EQ(static_cast<std::int64_t>(all.size()), expected);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_NE(all[i].predicted, all[i].label);
    EXPECT_EQ(all[i].label, data.test.labels[all[i].index]);
    EXPECT_GE(all[i].confidence, threshold);
    EXPECT_LE(all[i].confidence, 1.0);
    if (i > 0) {
      EXPECT_GE(all[i - 1].confidence, all[i].confidence) << "sorted, most confident first";
    }
  }
  const auto top = mine_natural_adversarials(*model, data.test, threshold, 3);
  ASSERT_EQ(top.size(), std::min<std::size_t>(3, all.size()));
  for (std::size_t i = 0; i < top.size(); ++i) EXPECT_EQ(top[i].index, all[i].index);
  // A stricter threshold keeps a subset.
  EXPECT_LE(mine_natural_adversarials(*model, data.test, 0.95, 0).size(), all.size());

  const report::Figure fig =
      report::natural_adversarial_grid(data.test, top, {.scale = 3, .columns = 4, .title = "natural adversarials"});
  EXPECT_GT(fig.width(), 3 * 28);
  EXPECT_GT(fig.height(), 3 * 28);
  const report::Image png = report::decode_png(fig.png(2), "natural adversarials");
  bool red = false;  // the captions' red, where a glyph covers whole pixels
  for (int y = 0; y < png.height() && !red; ++y)
    for (int x = 0; x < png.width() && !red; ++x) {
      const report::Rgb c = png.at(x, y);
      red = c.r > 180 && c.g < 60 && c.b < 60;
    }
  EXPECT_TRUE(red) << "captions of wrong predictions are red";
  if (const char* dir = std::getenv("ADVGRAD_FIGURE_DIR"))
    report::write_figure(
        report::natural_adversarial_grid(data.test, mine_natural_adversarials(*model, data.test, threshold, 12)), dir,
        "natural_adversarials");
  EXPECT_GT(report::natural_adversarial_grid(data.test, {}).width(), 0) << "none found still draws";
}

TEST(NaturalAdversarial, BadInputNamesTheFunction) {
  const data::Split data = data::make_synthetic_digits(4, 4, 0);
  nn::ModelConfig c;
  c.arch = "mlp";
  auto model = nn::build_model(c);
  const char* who = "mine_natural_adversarials";
  expect_error([&] { mine_natural_adversarials(*model, data.test, 0.0); }, {who, "(0, 1]"});
  expect_error([&] { mine_natural_adversarials(*model, data.test, 1.5); }, {who, "(0, 1]", "1.5"});
  expect_error([&] { mine_natural_adversarials(*model, data.test.head(0)); }, {who, "empty"});
  expect_error([&] { mine_natural_adversarials(*model, data.test, 0.9, -1); }, {who, "max_count"});
  expect_error(
      [&] {
        report::natural_adversarial_grid(data.test, {{99, 0, 1, 0.9}});
      },
      {"natural_adversarial_grid", "99"});
}

}  // namespace
}  // namespace advgrad::eval
