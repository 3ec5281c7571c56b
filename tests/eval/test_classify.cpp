// eval::class_index: the class a person means by a name or an index, and the
// clear errors for ambiguous, unknown and out-of-range ones.
#include <string>
#include <vector>

#include "advgrad/eval/classify.h"
#include "expect_error.h"

namespace advgrad::eval {
namespace {

using testing::expect_error;

const std::vector<std::string> kNames = {"tench", "goldfish", "crane", "golden retriever", "crane", "Egyptian cat"};

TEST(ClassIndex, DigitsAreAnIndex) {
  EXPECT_EQ(class_index(kNames, "0"), 0);
  EXPECT_EQ(class_index(kNames, "5"), 5);
  EXPECT_EQ(class_index(kNames, "005"), 5);
  expect_error([] { class_index(kNames, "6"); }, {"class index 6", "0..5"});
  expect_error([] { class_index(kNames, "99999999999999999999"); }, {"no class is named"});
}

TEST(ClassIndex, ExactNameIgnoringCaseThenTheOneNameContainingIt) {
  EXPECT_EQ(class_index(kNames, "goldfish"), 1);
  EXPECT_EQ(class_index(kNames, "GOLDFISH"), 1);
  EXPECT_EQ(class_index(kNames, "egyptian cat"), 5);
  EXPECT_EQ(class_index(kNames, "retriever"), 3);
  EXPECT_EQ(class_index(kNames, "tench"), 0);  // exact wins though nothing else contains it either
}

TEST(ClassIndex, AmbiguousUnknownAndEmptyNamesAreErrors) {
  expect_error([] { class_index(kNames, "crane"); }, {"ambiguous", "crane (2)", "crane (4)", "index"});
  expect_error([] { class_index(kNames, "gold"); }, {"ambiguous", "goldfish (1)", "golden retriever (3)"});
  expect_error([] { class_index(kNames, "hog"); }, {"no class is named 'hog'", "6 classes"});
  expect_error([] { class_index(kNames, ""); }, {"empty class name"});
  expect_error([] { class_index(kNames, "-1"); }, {"no class is named '-1'"});
}

TEST(ClassIndex, LongListsOfMatchesAreCut) {
  std::vector<std::string> many;
  for (int i = 0; i < 20; ++i) many.push_back("dog " + std::to_string(i));
  expect_error([&] { class_index(many, "dog"); }, {"ambiguous", "dog 7 (7)", "... (20 in all)"});
}

}  // namespace
}  // namespace advgrad::eval
