// The ImageNet-A protocol (eval/imagenet_a.h): the argmax over the subset's
// logits only, on hand-made logits; the class-list parser; the folder layout;
// and evaluate_restricted end to end on a small network.
#include "advgrad/eval/imagenet_a.h"

#include <cmath>
#include <filesystem>
#include <fstream>

#include "advgrad/nn/models.h"
#include "expect_error.h"
#include "testing.h"

namespace advgrad::eval {
namespace {

using testing::expect_error;

TEST(ImageNetA, RestrictedTop1IgnoresTheMaskedClasses) {
  // Row 0: the overall maximum (class 1, logit 9) is masked out; among the
  // subset {0, 3, 4} class 3 wins with softmax e^2 / (e^0 + e^2 + e^1).
  // Row 1: a tie between classes 4 and 0 goes to the earlier position (class 4
  // is listed first).
  const Tensor logits = from_vector(std::vector<double>{0, 9, 5, 2, 1,  //
                                                        3, 7, 7, -1, 3},
                                    {2, 5});
  const std::vector<std::int64_t> subset{4, 0, 3};
  const auto r = restricted_top1(logits, subset);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].index, 3);
  EXPECT_EQ(r[0].position, 2);
  EXPECT_NEAR(r[0].probability, std::exp(2.0) / (1 + std::exp(2.0) + std::exp(1.0)), 1e-12);
  EXPECT_EQ(r[1].index, 4);
  EXPECT_EQ(r[1].position, 0);
  EXPECT_NEAR(r[1].probability, 1 / (2 + std::exp(-4.0)), 1e-12);
  expect_error([&] { restricted_top1(logits, {5}); }, {"restricted_top1", "class 5 is outside the 5 logits"});
  expect_error([&] { restricted_top1(logits.select(0, 0), subset); }, {"restricted_top1", "[N, classes]"});
}

TEST(ImageNetA, ParsesTheClassListAndRefusesBadOnes) {
  const ImageNetASubset s = parse_imagenet_a_subset("n01498041\nn01531178\n\n", "6\n11\n", "test");
  EXPECT_EQ(s.wnids, (std::vector<std::string>{"n01498041", "n01531178"}));
  EXPECT_EQ(s.indices, (std::vector<std::int64_t>{6, 11}));
  EXPECT_EQ(s.position_of(11), 1);
  EXPECT_EQ(s.position_of(7), -1);
  expect_error([] { parse_imagenet_a_subset("n0149804\n", "6\n", "t"); }, {"not a WordNet id"});
  expect_error([] { parse_imagenet_a_subset("n01498041\n", "1000\n", "t"); }, {"indices line 1", "[0, 1000)"});
  expect_error([] { parse_imagenet_a_subset("n01498041\nn01531178\n", "6\n6\n", "t"); }, {"class 6 appears twice"});
  expect_error([] { parse_imagenet_a_subset("n01498041\n", "6\n7\n", "t"); }, {"1 synsets and 2 indices"});
  expect_error([] { imagenet_a_subset("/nonexistent-dir"); }, {"fetch-imagenet-a-classes.sh"});
}

TEST(ImageNetA, FolderLayoutLabelsBySubfolder) {
  const auto dir = testing::temp_dir("imagenet_a_folder");
  std::filesystem::create_directories(dir / "n01498041");
  for (const char* f : {"b.JPG", "a.png", "notes.txt", "n01498041/x.jpeg", "n01498041/y.bmp"})
    std::ofstream(dir / f) << "x";
  const std::vector<FolderImage> images = list_image_folder(dir.string());
  ASSERT_EQ(images.size(), 3u);
  EXPECT_EQ(std::filesystem::path(images[0].path).filename(), "a.png");
  EXPECT_EQ(images[0].label, "");
  EXPECT_EQ(std::filesystem::path(images[1].path).filename(), "b.JPG");
  EXPECT_EQ(std::filesystem::path(images[2].path).filename(), "x.jpeg");
  EXPECT_EQ(images[2].label, "n01498041");
  expect_error([&] { list_image_folder((dir / "a.png").string()); }, {"list_image_folder", "not a directory"});
}

TEST(ImageNetA, EvaluateRestrictedCountsAgainstTheMaskedArgmax) {
  nn::ModelConfig c;  // small-cnn on 1 x 28 x 28, 10 classes
  c.seed = 7;
  nn::ModulePtr model = nn::build_model(c);
  const Tensor images = testing::random_tensor({5, 1, 28, 28}, 71, DType::Float32, 0, 1);
  const ImageNetASubset subset = parse_imagenet_a_subset("n00000002\nn00000005\nn00000007\n", "2\n5\n7\n", "t");
  const auto load = [&](std::int64_t i) { return images.select(0, i); };
  // The labels are what the masked argmax says for images 0-2 (so 3 of 3 right), -1 for 3 and 4.
  Tensor logits;
  {
    NoGradGuard no_grad;
    model->eval();
    logits = (*model)(images);
  }
  const auto want = restricted_top1(logits, subset.indices);
  const std::vector<std::int64_t> labels{want[0].index, want[1].index, want[2].index, -1, -1};
  const RestrictedEvaluation r = evaluate_restricted(*model, 5, load, labels, subset);
  ASSERT_EQ(r.restricted.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(r.restricted[i].index, want[i].index);
    EXPECT_NEAR(r.restricted[i].probability, want[i].probability, 1e-5);
    EXPECT_EQ(r.unrestricted[i], argmax(logits.select(0, static_cast<std::int64_t>(i)), 0).item());
  }
  EXPECT_EQ(r.labelled, 3);
  EXPECT_EQ(r.correct, 3);
  EXPECT_DOUBLE_EQ(r.accuracy(), 1.0);
  expect_error([&] { evaluate_restricted(*model, 5, load, {0, -1, -1, -1, -1}, subset); },
               {"evaluate_restricted", "class 0 is not one of the subset's 3 classes"});
  expect_error([&] { evaluate_restricted(*model, 5, load, {-1}, subset); }, {"evaluate_restricted", "1 labels"});
}

}  // namespace
}  // namespace advgrad::eval
