// ScaleShift (nn/scale_shift.h): one scale and shift for every element, or
// one pair per channel (torchvision's ImageNet mean / std), with the
// gradient flowing back times the channel's scale, and no state-dict tensors.
#include "expect_error.h"
#include "testing.h"

namespace advgrad::nn {
namespace {

TEST(ScaleShift, OnePairForEveryElement) {
  ScaleShift s(2.0, -1.0);
  EXPECT_EQ(s(from_vector(std::vector<double>{0, 0.5, 1}, {3})).to_double_vector(), (std::vector<double>{-1, 0, 1}));
}

TEST(ScaleShift, TorchvisionNormalisationPerChannel) {
  std::shared_ptr<ScaleShift> s = torchvision_imagenet_input();
  Tensor x = testing::random_tensor({2, 3, 2, 2}, 3, DType::Float64, 0, 1).requires_grad_();
  const double mean[] = {0.485, 0.456, 0.406}, stddev[] = {0.229, 0.224, 0.225};
  Tensor y = (*s)(x);
  const std::vector<double> xv = x.to_double_vector(), yv = y.to_double_vector();
  for (std::size_t i = 0; i < xv.size(); ++i) {
    const std::size_t c = (i / 4) % 3;
    EXPECT_NEAR(yv[i], (xv[i] - mean[c]) / stddev[c], 1e-12) << i;
  }
  const std::vector<double> g = autograd::grad({sum(y)}, {x})[0].to_double_vector();
  for (std::size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], 1 / stddev[(i / 4) % 3], 1e-12) << i;
  EXPECT_TRUE(s->state_dict().empty());
  EXPECT_EQ(s->extra_repr().find("scale=("), 0u);
}

// The per-channel constants are kept between calls: a second input of
// another dtype or rank must still see its own channel values.
TEST(ScaleShift, PerChannelConstantsFollowTheInputsDtypeAndRank) {
  ScaleShift s({2.0, 3.0}, {1.0, -1.0});
  EXPECT_EQ(s(ones({1, 2, 1, 1}, {.dtype = DType::Float64})).to_double_vector(), (std::vector<double>{3, 2}));
  EXPECT_EQ(s(ones({1, 2}, {.dtype = DType::Float32})).to_double_vector(), (std::vector<double>{3, 2}));
  const Tensor y = s(ones({2, 2, 3}, {.dtype = DType::Float32}));
  EXPECT_EQ(y.dtype(), DType::Float32);
  EXPECT_EQ(y.to_double_vector(), (std::vector<double>{3, 3, 3, 2, 2, 2, 3, 3, 3, 2, 2, 2}));
}

TEST(ScaleShift, RefusesMismatchedChannels) {
  std::shared_ptr<ScaleShift> s = torchvision_imagenet_input();
  testing::expect_error([&] { (*s)(zeros({1, 1, 4, 4})); }, {"ScaleShift", "[N, 3, ...]", "[1, 1, 4, 4]"});
  testing::expect_error([] { ScaleShift({1.0, 2.0}, {0.0}); }, {"ScaleShift", "2 and 1"});
  testing::expect_error([] { ScaleShift({1.0, 0.0}, {0.0, 0.0}); }, {"ScaleShift", "non-zero"});
}

}  // namespace
}  // namespace advgrad::nn
