// Resize, shorter-side resize and centre crop: against Pillow's float resize
// (tests/data/resize_reference.h, generated once), and exact invariants.
#include <cmath>
#include <cstdio>

#include "advgrad/data/image_transforms.h"
#include "data/resize_reference.h"
#include "expect_error.h"
#include "testing.h"

namespace advgrad::data {
namespace {

using advgrad::testing::expect_error;

constexpr ResizeFilter kFilters[] = {ResizeFilter::Bilinear, ResizeFilter::Bicubic};

// The reference's input, with Pillow's float32 pixel values.
Tensor reference_input() {
  using namespace advgrad::testing;
  std::vector<double> v;
  for (std::int64_t c = 0; c < kResizeInputChannels; ++c)
    for (std::int64_t y = 0; y < kResizeInputHeight; ++y)
      for (std::int64_t x = 0; x < kResizeInputWidth; ++x)
        v.push_back(static_cast<float>(((37 * x + 91 * y + 53 * c + 11) % 101) / 100.0));
  return from_vector(v, {kResizeInputChannels, kResizeInputHeight, kResizeInputWidth},
                     TensorOptions{}.with_dtype(DType::Float64));
}

TEST(ResizeImage, MatchesPillowsFloatResizeUpAndDown) {
  const Tensor in = reference_input();
  double worst = 0;
  for (const auto& ref : advgrad::testing::resize_references()) {
    const std::vector<double> got = resize_image(in, ref.height, ref.width, ref.filter).to_double_vector();
    ASSERT_EQ(got.size(), ref.values.size());
    for (std::size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::fabs(got[i] - ref.values[i]));
  }
  // Pillow keeps the intermediate and the output in float32: about 1e-7 apart.
  std::printf("resize vs Pillow: max abs difference %.3g\n", worst);
  EXPECT_LT(worst, 5e-7);
}

TEST(ResizeImage, ConstantImageStaysExactlyConstant) {
  const Tensor flat = full({3, 17, 13}, 0.3);
  for (ResizeFilter f : kFilters)
    for (auto [h, w] : {std::pair{5, 4}, std::pair{29, 31}, std::pair{17, 40}, std::pair{1, 1}}) {
      const Tensor out = resize_image(flat, h, w, f);
      EXPECT_EQ(out.shape(), (Shape{3, h, w}));
      EXPECT_EQ(out.to_double_vector(), full({3, h, w}, 0.3).to_double_vector()) << h << "x" << w;
    }
}

TEST(ResizeImage, SameSizeIsTheIdentity) {
  Generator gen(3);
  const Tensor im = rand({2, 3, 9, 11}, gen);
  for (ResizeFilter f : kFilters) EXPECT_EQ(resize_image(im, 9, 11, f).to_double_vector(), im.to_double_vector());
}

TEST(ResizeImage, ABatchIsResizedImageByImage) {
  Generator gen(4);
  const Tensor batch = rand({2, 3, 8, 5}, gen);
  const Tensor out = resize_image(batch, 3, 7, ResizeFilter::Bicubic);
  EXPECT_EQ(out.select(0, 1).to_double_vector(),
            resize_image(batch.select(0, 1), 3, 7, ResizeFilter::Bicubic).to_double_vector());
}

TEST(ResizeImage, ShrinkingWidensTheFilterAndWeightsSumToOne) {
  // 100 -> 10 with the triangle: support 1 * 10 on each side of the centre.
  const ResampleWeights w = resample_weights(100, 10, ResizeFilter::Bilinear);
  EXPECT_EQ(w.count[5], 20);
  for (std::size_t i = 0; i < w.first.size(); ++i) {
    double sum = 0;
    for (std::int64_t k = 0; k < w.count[i]; ++k) sum += w.weights[i * w.taps + k];
    EXPECT_NEAR(sum, 1.0, 1e-12);
  }
  EXPECT_DOUBLE_EQ(resize_filter(ResizeFilter::Bicubic, 0), 1.0);
  EXPECT_DOUBLE_EQ(resize_filter(ResizeFilter::Bicubic, 1), 0.0);
  EXPECT_DOUBLE_EQ(resize_filter(ResizeFilter::Bicubic, 1.5), -0.0625);  // a (t^3 - 5t^2 + 8t - 4), a = -0.5
  EXPECT_DOUBLE_EQ(resize_filter(ResizeFilter::Bilinear, 0.25), 0.75);
}

TEST(ResizeShorterSide, KeepsTheAspectRatioRoundingTheLongSideDown) {
  EXPECT_EQ(resize_shorter_side(zeros({3, 5, 7}), 3).shape(), (Shape{3, 3, 4}));  // 3 * 7 / 5 = 4.2
  EXPECT_EQ(resize_shorter_side(zeros({1, 3, 400, 600}), 256).shape(), (Shape{1, 3, 256, 384}));
  EXPECT_EQ(resize_shorter_side(zeros({3, 600, 451}), 256).shape(), (Shape{3, 340, 256}));  // 340.6
}

TEST(CenterCrop, TakesTheMiddleWindowRoundingHalvesToEven) {
  const Tensor im = arange(0, 9 * 8, 1).reshape({1, 9, 8});
  // Rows: (9 - 4) / 2 = 2.5 -> 2; columns: (8 - 3) / 2 = 2.5 -> 2; (8 - 5) / 2 = 1.5 -> 2.
  EXPECT_EQ(center_crop(im, 4, 3).to_double_vector()[0], 2 * 8 + 2);
  EXPECT_EQ(center_crop(im, 4, 5).to_double_vector()[0], 2 * 8 + 2);
  EXPECT_EQ(center_crop(im, 9, 8).to_double_vector(), im.to_double_vector());
  expect_error([&] { center_crop(im, 10, 8); }, {"center_crop", "10x8", "9x8"});
}

TEST(ResizeImage, RefusesWhatIsNotAFloatImage) {
  expect_error([] { resize_image(zeros({4, 4}), 2, 2); }, {"resize_image", "[4, 4]", "[C, H, W]"});
  expect_error(
      [] {
        resize_image(zeros({1, 4, 4}, TensorOptions{}.with_dtype(DType::Int64)), 2, 2);
      },
      {"resize_image", "int64"});
  expect_error([] { resize_image(zeros({1, 4, 4}), 0, 2); }, {"resize_image", "0x2"});
}

}  // namespace
}  // namespace advgrad::data
