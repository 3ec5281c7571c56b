// The "failed training" rule: a model whose clean accuracy is indistinguishable
// from chance is reported as failed, with a cause read from its history.
#include "advgrad/training/training_verdict.h"
#include "expect_error.h"
#include "testing.h"

namespace advgrad::training {
namespace {

FitResult history(double train_loss, double train_accuracy) {
  FitResult f;
  EpochStats s;
  s.epoch = 3;
  s.train_loss = train_loss;
  s.train_accuracy = train_accuracy;
  f.history.push_back(s);
  return f;
}

TEST(TrainingVerdict, AModelAtChanceFailed) {
  // 10 classes, 500 test images: 11% is within noise of 10%, 14% is not.
  EXPECT_TRUE(judge_training(history(2.30, 0.10), 0.11, 500, 10).failed);
  EXPECT_FALSE(judge_training(history(1.20, 0.55), 0.14, 500, 10).failed);
  EXPECT_FALSE(judge_training(history(0.30, 0.90), 0.88, 500, 10).failed);
  // Below chance is a failure too; so is exact chance on a large test set.
  EXPECT_TRUE(judge_training(history(2.30, 0.10), 0.02, 500, 10).failed);
  EXPECT_TRUE(judge_training(history(2.30, 0.10), 0.10, 10000, 10).failed);
  // Two classes: chance is 50%.
  EXPECT_TRUE(judge_training(history(0.69, 0.5), 0.52, 200, 2).failed);
  EXPECT_FALSE(judge_training(history(0.2, 0.9), 0.9, 200, 2).failed);
}

TEST(TrainingVerdict, TheCauseComesFromTheHistory) {
  const TrainingVerdict stuck = judge_training(history(2.301, 0.10), 0.10, 500, 10);
  EXPECT_NE(stuck.cause.find("ended at 2.3"), std::string::npos) << stuck.cause;
  EXPECT_NE(stuck.cause.find("ln(10)"), std::string::npos) << stuck.cause;
  const TrainingVerdict memorised = judge_training(history(0.1, 0.97), 0.10, 500, 10);
  EXPECT_NE(memorised.cause.find("97%"), std::string::npos) << memorised.cause;
  const TrainingVerdict other = judge_training(history(1.5, 0.15), 0.10, 500, 10);
  EXPECT_NE(other.cause.find("loss fell"), std::string::npos) << other.cause;
  EXPECT_NE(judge_training(FitResult{}, 0.1, 500, 10).cause.find("no training history"), std::string::npos);
  EXPECT_TRUE(judge_training(history(0.3, 0.9), 0.9, 500, 10).cause.empty());
}

TEST(TrainingVerdict, RejectsBadArguments) {
  testing::expect_error([] { judge_training({}, 0.5, 100, 1); }, {"judge_training", "2 classes"});
  testing::expect_error([] { judge_training({}, 0.5, 0, 10); }, {"n = 0"});
  testing::expect_error([] { judge_training({}, -0.1, 100, 10); }, {"accuracy"});
}

}  // namespace
}  // namespace advgrad::training
