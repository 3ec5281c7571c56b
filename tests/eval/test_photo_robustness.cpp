// Top-1 stability under the photo corruptions (eval/photo_robustness.h) on a
// small colour network: the clean row, the row order, the measures against a
// direct computation, and the acceptable-class share.
#include "advgrad/eval/photo_robustness.h"

#include "advgrad/nn/models.h"
#include "expect_error.h"
#include "testing.h"

namespace advgrad::eval {
namespace {

using testing::expect_error;

TEST(PhotoRobustness, StabilityAgainstTheCleanTop1) {
  nn::ModelConfig c;
  c.channels = 3, c.height = 21, c.width = 23, c.classes = 7, c.seed = 13;
  nn::ModulePtr model = nn::build_model(c);
  std::vector<Tensor> photos;
  for (std::uint64_t i = 0; i < 5; ++i)
    photos.push_back(testing::random_tensor({3, 21, 23}, 80 + i, DType::Float32, 0, 1));
  // Direct: the clean and corrupted top-1 and probabilities, photo by photo.
  const auto probs = [&](const Tensor& x) {
    NoGradGuard no_grad;
    model->eval();
    return softmax((*model)(x.unsqueeze(0)), 1).select(0, 0).to(DType::Float64).to_double_vector();
  };
  std::vector<std::vector<std::int64_t>> ok(5);
  std::vector<std::int64_t> clean_top(5);
  for (std::size_t i = 0; i < 5; ++i) {
    const auto p = probs(photos[i]);
    clean_top[i] = std::max_element(p.begin(), p.end()) - p.begin();
  }
  ok[0] = {clean_top[0]};  // right
  ok[1] = {(clean_top[1] + 1) % 7};  // wrong; photos 2-4 unlabelled
  model->train();
  const auto rows = photo_corruption_stability(*model, photos, ok, {"contrast", "gaussian_noise"}, {1, 5}, 4);
  EXPECT_TRUE(model->is_training()) << "the model's mode is restored";
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].corruption, "clean");
  EXPECT_DOUBLE_EQ(rows[0].unchanged, 1.0);
  EXPECT_EQ(rows[0].labelled, 2);
  EXPECT_DOUBLE_EQ(rows[0].acceptable, 0.5);
  EXPECT_EQ(rows[1].corruption, "contrast");
  EXPECT_EQ(rows[2].severity, 5);
  EXPECT_EQ(rows[4].corruption, "gaussian_noise");
  for (std::size_t r = 1; r < rows.size(); ++r) {
    double unchanged = 0, clean_prob = 0, top_prob = 0;
    for (std::size_t i = 0; i < 5; ++i) {
      const auto p = probs(corrupt_photo(photos[i], rows[r].corruption, rows[r].severity, 4,
                                         static_cast<std::int64_t>(i)));
      const auto top = std::max_element(p.begin(), p.end()) - p.begin();
      unchanged += top == clean_top[i];
      clean_prob += p[static_cast<std::size_t>(clean_top[i])];
      top_prob += p[static_cast<std::size_t>(top)];
    }
    EXPECT_DOUBLE_EQ(rows[r].unchanged, unchanged / 5) << r;
    EXPECT_NEAR(rows[r].clean_class_prob, clean_prob / 5, 1e-6) << r;
    EXPECT_NEAR(rows[r].top1_prob, top_prob / 5, 1e-6) << r;
  }
  const std::string csv = photo_stability_to_csv(rows);
  EXPECT_EQ(csv.rfind("corruption,severity,photos,unchanged,", 0), 0u);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 6);
  expect_error([&] { photo_corruption_stability(*model, photos, {}, {"snow"}, {1}, 0); },
               {"photo_corruption_stability", "unknown corruption"});
  expect_error([&] { photo_corruption_stability(*model, photos, {{1}}, {"fog"}, {1}, 0); },
               {"photo_corruption_stability", "1 label sets for 5 photos"});
}

}  // namespace
}  // namespace advgrad::eval
