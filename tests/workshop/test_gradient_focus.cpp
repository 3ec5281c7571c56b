// gradient_focus: the share of |dLoss/dx| on the object, checked on a linear
// model whose weights see only a known patch of the image.
#include "advgrad/nn/containers.h"
#include "advgrad/nn/linear.h"
#include "advgrad/workshop/gradient_focus.h"
#include "testing.h"

namespace advgrad::workshop {
namespace {

// 4x4 grey images, 3 classes: the object is the top-left 2x2 patch (bright),
// the background is black.
data::Dataset patch_images() {
  data::Dataset d;
  d.name = "patches";
  d.height = d.width = 4;
  d.classes = 3;
  d.class_names = {"a", "b", "c"};
  for (int i = 0; i < 6; ++i) {
    std::vector<std::uint8_t> img(16, 0);
    for (int p : {0, 1, 4, 5}) img[p] = static_cast<std::uint8_t>(120 + 20 * i);
    d.pixels.insert(d.pixels.end(), img.begin(), img.end());
    d.labels.push_back(i % 3);
  }
  return d;
}

// Flatten + Linear(16 -> 3) with weights only in the columns of `pixels`.
nn::ModulePtr linear_on(const std::vector<int>& pixels) {
  Generator gen(1);
  auto seq = std::make_shared<nn::Sequential>();
  seq->add(std::make_shared<nn::Flatten>());
  auto lin = std::make_shared<nn::Linear>(16, 3, gen);
  seq->add(lin);
  std::vector<double> w(48, 0.0);
  for (int k = 0; k < 3; ++k)
    for (int p : pixels) w[k * 16 + p] = 0.1 * (k + 1) - 0.05 * p;
  NoGradGuard no_grad;
  lin->parameters()[0].copy_(from_vector(w, {3, 16}));
  return seq;
}

TEST(GradientFocus, AGradientOnlyOnTheObjectIsAllOnTheObject) {
  const data::Dataset d = patch_images();
  const GradientFocus on = gradient_focus(*linear_on({0, 1, 4, 5}), d, 6);
  EXPECT_EQ(on.images, 6);
  EXPECT_NEAR(on.on_object, 1.0, 1e-9);
  EXPECT_NEAR(on.object_area, 4.0 / 16, 1e-12);
  const GradientFocus off = gradient_focus(*linear_on({10, 11, 15}), d, 6);
  EXPECT_NEAR(off.on_object, 0.0, 1e-9);
  const GradientFocus half = gradient_focus(*linear_on({0, 15}), d, 3);
  EXPECT_GT(half.on_object, 0.05);
  EXPECT_LT(half.on_object, 0.95);
  EXPECT_THROW(gradient_focus(*linear_on({0}), d, 0), Error);
}

}  // namespace
}  // namespace advgrad::workshop
