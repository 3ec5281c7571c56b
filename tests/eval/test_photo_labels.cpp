// Acceptable classes per photo (eval/photo_labels.h): the file format, the
// built-in table of the 14 photos, and which predictions are confidently wrong.
#include "advgrad/eval/photo_labels.h"

#include "expect_error.h"
#include "testing.h"

namespace advgrad::eval {
namespace {

using testing::expect_error;

TEST(PhotoLabels, ParsesIndicesRangesNoneAndReasons) {
  const auto labels = parse_photo_labels(
      "# header\n\n"
      "cat.png   285,281,282   # a cat\n"
      "dogs.jpg  151-153,7\n"
      "art.jpg   -             # no class\n",
      "test");
  ASSERT_EQ(labels.size(), 3u);
  EXPECT_EQ(labels[0].photo, "cat.png");
  EXPECT_EQ(labels[0].classes, (std::vector<std::int64_t>{281, 282, 285}));
  EXPECT_EQ(labels[0].why, "a cat");
  EXPECT_EQ(labels[1].classes, (std::vector<std::int64_t>{7, 151, 152, 153}));
  EXPECT_EQ(labels[1].why, "");
  EXPECT_TRUE(labels[2].classes.empty());
  EXPECT_EQ(find_photo_label(labels, "dogs.jpg"), &labels[1]);
  EXPECT_EQ(find_photo_label(labels, "none.jpg"), nullptr);
  expect_error([] { parse_photo_labels("a.png 1000\n", "f"); }, {"f line 1", "'1000' is not an ImageNet class"});
  expect_error([] { parse_photo_labels("a.png 9-3\n", "f"); }, {"range '9-3' runs backwards"});
  expect_error([] { parse_photo_labels("a.png\n", "f"); }, {"expected '<file name> <classes>"});
  expect_error([] { parse_photo_labels("a.png 1 2\n", "f"); }, {"expected"});
  expect_error([] { parse_photo_labels("a.png 1\nb.png 2\na.png 3\n", "f"); }, {"f line 3", "listed twice"});
}

TEST(PhotoLabels, TheBuiltInTableCoversTheFourteenPhotos) {
  const auto& labels = builtin_photo_labels();
  EXPECT_EQ(labels.size(), 14u);
  const PhotoLabel* cat = find_photo_label(labels, "chelsea.png");
  ASSERT_NE(cat, nullptr);
  EXPECT_EQ(cat->classes, (std::vector<std::int64_t>{281, 282, 285}));  // tabby, tiger cat, Egyptian cat
  EXPECT_EQ(find_photo_label(labels, "dog.jpg")->classes.size(), 118u + 2u);  // every dog, mountain bike, pickup
  EXPECT_TRUE(find_photo_label(labels, "scream.jpg")->classes.empty());
  for (const auto& l : labels) EXPECT_FALSE(l.why.empty()) << l.photo << " has no reason";
}

TEST(PhotoLabels, ConfidentlyWrongNeedsALabelAWrongTop1AndTheConfidence) {
  const std::vector<Prediction> top1{{5, "a", 0.95}, {6, "b", 0.97}, {7, "c", 0.4}, {8, "d", 0.99}, {9, "e", 0.6}};
  const std::vector<std::vector<std::int64_t>> ok{{5}, {1, 2}, {1}, {}, {3}};
  // 0 is right, 2 not confident enough, 3 unlabelled; 1 and 4 are wrong, most confident first.
  EXPECT_EQ(confidently_wrong(top1, ok, 0.5), (std::vector<std::size_t>{1, 4}));
  EXPECT_EQ(confidently_wrong(top1, ok, 0.97), (std::vector<std::size_t>{1}));
  EXPECT_EQ(confidently_wrong(top1, ok, 0.3), (std::vector<std::size_t>{1, 4, 2}));
  expect_error([&] { confidently_wrong(top1, {{1}}, 0.5); }, {"confidently_wrong", "5 predictions and 1 label sets"});
  expect_error([&] { confidently_wrong(top1, ok, 0); }, {"confidently_wrong", "(0, 1]"});
}

}  // namespace
}  // namespace advgrad::eval
