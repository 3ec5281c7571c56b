// Noisy Student: the soft-target cross-entropy (hand formula, float64
// finite differences), pseudo-labels, the student's noise, and a tiny
// two-round run that learns.
#include <cmath>
#include <sstream>

#include "advgrad/core/autograd/engine.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/eval/evaluate.h"
#include "advgrad/nn/soft_cross_entropy.h"
#include "advgrad/training/noisy_student.h"
#include "expect_error.h"
#include "testing.h"

namespace advgrad::training {
namespace {

using advgrad::testing::expect_error;

TEST(SoftCrossEntropy, MatchesTheHandFormula) {
  const Tensor z = from_vector(std::vector<double>{1, 2, 3, 0, 0, 0}, {2, 3}, {.dtype = DType::Float64});
  const Tensor q = from_vector(std::vector<double>{0.2, 0.3, 0.5, 1, 0, 0}, {2, 3}, {.dtype = DType::Float64});
  // loss_i = logsumexp(z_i) - sum_k q_ik z_ik (rows of q sum to 1).
  const double lse0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)), lse1 = std::log(3.0);
  const double l0 = lse0 - (0.2 * 1 + 0.3 * 2 + 0.5 * 3), l1 = lse1 - 0;
  const auto per = nn::soft_cross_entropy(z, q, Reduction::None).to_double_vector();
  ASSERT_EQ(per.size(), 2u);
  EXPECT_NEAR(per[0], l0, 1e-12);
  EXPECT_NEAR(per[1], l1, 1e-12);
  EXPECT_NEAR(nn::soft_cross_entropy(z, q).item(), (l0 + l1) / 2, 1e-12);
  EXPECT_NEAR(nn::soft_cross_entropy(z, q, Reduction::Sum).item(), l0 + l1, 1e-12);
  // One-hot targets: the ordinary cross-entropy.
  const Tensor y = from_vector(std::vector<std::int64_t>{2, 0}, {2});
  EXPECT_NEAR(nn::soft_cross_entropy(z, one_hot(y, 3, DType::Float64)).item(), cross_entropy(z, y).item(), 1e-12);
  // d loss_i / d z_i = softmax(z_i) - q_i.
  Tensor zl = z.clone().requires_grad_(true);
  const Tensor g = autograd::grad({nn::soft_cross_entropy(zl, q, Reduction::Sum)}, {zl})[0];
  EXPECT_TRUE(testing::all_close(g, softmax(z, 1) - q, 1e-12, 1e-12));
}

TEST(SoftCrossEntropy, GradientPassesFiniteDifferences) {
  const Tensor z = testing::random_tensor({3, 4}, 11).requires_grad_(true);
  const Tensor q = softmax(testing::random_tensor({3, 4}, 12) * 2.0, 1).detach().requires_grad_(true);
  EXPECT_TRUE(
      testing::gradcheck([](const std::vector<Tensor>& in) { return nn::soft_cross_entropy(in[0], in[1]); }, {z, q}));
  EXPECT_TRUE(testing::gradgradcheck([](const std::vector<Tensor>& in) { return nn::soft_cross_entropy(in[0], in[1]); },
                                     {z, q}));
  expect_error(
      [&] {
        nn::soft_cross_entropy(z, zeros({3, 5}, {.dtype = DType::Float64}));
      },
      {"soft_cross_entropy", "[3, 5]"});
}

TEST(NoisyStudent, PseudoLabelsAndNoise) {
  const data::Split data = data::make_synthetic_digits(20, 30, 2);
  nn::ModelConfig c;
  c.arch = "mlp";
  auto teacher = nn::build_model(c);
  const PseudoLabels soft = pseudo_label(*teacher, data.test, true, 7);
  EXPECT_EQ(soft.targets.shape(), (Shape{30, 10}));
  EXPECT_EQ(soft.labels.size(), 30u);
  EXPECT_EQ(soft.confidence.size(), 30u);
  const auto rows = sum(soft.targets, {1}).to_double_vector();
  for (double r : rows) EXPECT_NEAR(r, 1.0, 1e-5);
  const PseudoLabels hard = pseudo_label(*teacher, data.test, false);
  EXPECT_EQ(hard.targets.shape(), (Shape{30, 10}));
  EXPECT_EQ(hard.labels, soft.labels);
  for (std::int64_t i = 0; i < 30; ++i) {
    EXPECT_EQ(hard.targets.at({i, hard.labels[i]}), 1.0);
    EXPECT_NEAR(soft.targets.at({i, soft.labels[i]}), soft.confidence[i], 1e-6);
  }
  EXPECT_TRUE(teacher->is_training()) << "mode restored";

  const Tensor x = data.test.images_tensor({0, 1, 2, 3});
  Generator g1(5), g2(5);
  const Tensor a = noisy_student_noise(x, 0.1, 2, g1), b = noisy_student_noise(x, 0.1, 2, g2);
  EXPECT_EQ(a.shape(), x.shape());
  EXPECT_EQ(a.to_double_vector(), b.to_double_vector()) << "deterministic given the generator";
  EXPECT_GE(amin(a).item(), 0.0);
  EXPECT_LE(amax(a).item(), 1.0);
  EXPECT_GT(mean(abs(a - x)).item(), 0.0);
  Generator g3(5);
  EXPECT_EQ(noisy_student_noise(x, 0, 0, g3).to_double_vector(), x.to_double_vector()) << "no noise, no change";
}

// The first n training images as the labelled set, the rest as the unlabelled one.
std::pair<data::Dataset, data::Dataset> labelled_and_rest(const data::Dataset& train, std::int64_t n) {
  std::vector<std::int64_t> rest;
  for (std::int64_t i = n; i < train.size(); ++i) rest.push_back(i);
  return {train.head(n), train.select(rest)};
}

TEST(NoisyStudent, TwoRoundsLearnAboveChance) {
  const data::Split data = data::make_synthetic_digits(400, 100, 3);
  const auto [labelled, unlabelled] = labelled_and_rest(data.train, 100);
  NoisyStudentOptions o;
  o.iterations = 2;
  o.teacher_epochs = 8;
  o.lr = 3e-3;
  o.student_epochs = 4;
  o.corruptions = {"gaussian_noise", "rotation"};
  o.eval_limit = 50;
  std::ostringstream log;
  const NoisyStudentResult r = noisy_student(labelled, unlabelled, data.test, o, log);
  ASSERT_EQ(r.rounds.size(), 2u);
  for (const auto& round : r.rounds) {
    EXPECT_EQ(round.pseudo_labelled, 300) << "threshold 0 keeps every unlabelled example";
    EXPECT_GT(round.pseudo_label_accuracy, 0.2);
    EXPECT_GT(round.student.clean_accuracy, 0.3) << "chance is 0.1";
    EXPECT_LE(round.student.fgsm_accuracy, round.student.clean_accuracy + 0.05);
    EXPECT_GT(round.student.mean_corruption_accuracy, 0.0);
  }
  EXPECT_EQ(r.rounds[1].teacher.clean_accuracy, r.rounds[0].student.clean_accuracy) << "the student became the teacher";
  ASSERT_NE(r.final_student, nullptr);
  EXPECT_FALSE(r.final_student->is_training());
  EXPECT_NE(log.str().find("round 2"), std::string::npos);

  // Hard labels with a confidence filter keep fewer examples.
  o.iterations = 1;
  o.soft_labels = false;
  o.confidence_threshold = 0.9;
  o.student_epochs = 1;
  const NoisyStudentResult h = noisy_student(labelled, unlabelled, data.test, o, log);
  EXPECT_LT(h.rounds[0].pseudo_labelled, 300);
}

// A teacher trained elsewhere is used as it is: no teacher training, its
// weights untouched, its report the first round's teacher; the student's
// training comes back with one history entry per epoch.
TEST(NoisyStudent, AGivenTeacherIsUsedAsItIs) {
  const data::Split data = data::make_synthetic_digits(150, 60, 7);
  const auto [labelled, unlabelled] = labelled_and_rest(data.train, 70);
  nn::ModelConfig c = noisy_student_mlp();
  c.seed = 9;
  nn::ModulePtr teacher = nn::build_model(c);
  const nn::StateDict before = teacher->state_dict();
  NoisyStudentOptions o;
  o.student_epochs = 3;
  o.corruptions = {"rotation"};
  o.eval_limit = 20;
  std::ostringstream log;
  const NoisyStudentResult r = noisy_student(labelled, unlabelled, data.test, o, log, teacher);
  EXPECT_EQ(log.str().find("teacher mlp on"), std::string::npos) << "no teacher was trained: " << log.str();
  EXPECT_NE(log.str().find("the given teacher"), std::string::npos);
  for (const auto& [name, t] : teacher->state_dict())
    EXPECT_EQ(t.to_double_vector(), before.at(name).to_double_vector()) << name;
  ASSERT_EQ(r.rounds.size(), 1u);
  EXPECT_NEAR(r.rounds[0].teacher.clean_accuracy, eval::evaluate(*teacher, data.test).accuracy, 1e-12);
  EXPECT_EQ(r.rounds[0].student_fit.history.size(), 3u);
  EXPECT_GT(r.rounds[0].student_fit.seconds, 0.0);
  EXPECT_NE(r.final_student, teacher);
}

TEST(NoisyStudent, BadInputNamesTheFunction) {
  const data::Split data = data::make_synthetic_digits(10, 10, 0);
  std::ostringstream log;
  NoisyStudentOptions o;
  o.iterations = 0;
  expect_error([&] { noisy_student(data.train, data.train, data.test, o, log); }, {"noisy_student", "iterations"});
  o.iterations = 1;
  o.confidence_threshold = 1.0;
  expect_error([&] { noisy_student(data.train, data.train, data.test, o, log); }, {"noisy_student", "confidence"});
  o.confidence_threshold = 0;
  expect_error([&] { noisy_student(data.train, data.train.head(0), data.test, o, log); }, {"noisy_student", "empty"});
  o.input_noise_std = -1;
  expect_error([&] { noisy_student(data.train, data.train, data.test, o, log); }, {"noisy_student", "input_noise_std"});
}

}  // namespace
}  // namespace advgrad::training
