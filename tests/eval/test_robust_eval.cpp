// Robust evaluation, eps sweeps and the gradient-masking diagnostics.
#include "advgrad/eval/robust_eval.h"
#include "advgrad/nn/models.h"
#include "advgrad/training/trainer.h"
#include "testing.h"

namespace advgrad::eval {
namespace {

TEST(RobustEval, SweepFallsWithEpsAndNeverBeatsClean) {
  data::Split data = data::make_synthetic_digits(400, 120, 1);
  nn::ModelConfig c;
  c.arch = "mlp";
  training::TrainerOptions o;
  o.epochs = 2;
  o.batch_size = 32;
  o.progress = 0;
  training::Trainer t(nn::build_model(c), c, o);
  std::ostringstream log;
  t.fit(data.train, data.test, log);
  attacks::AttackOptions fgsm;
  fgsm.steps = 1;
  auto sweep = eps_sweep(t.model(), data.test, fgsm, parse_eps_sweep("0:0.3:0.1"));
  ASSERT_EQ(sweep.size(), 4u);
  EXPECT_NEAR(sweep[0].robust_accuracy, sweep[0].clean_accuracy, 1e-12) << "eps 0 changes nothing";
  for (const auto& r : sweep) EXPECT_LE(r.robust_accuracy, r.clean_accuracy + 1e-12);
  EXPECT_LT(sweep.back().robust_accuracy, sweep.front().robust_accuracy);
  const std::string csv = sweep_to_csv(sweep);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
  EXPECT_NE(sweep_to_json(sweep, "fgsm").find("\"robust_accuracy\""), std::string::npos);
  MaskingReport rep = masking_diagnostics(t.model(), data.test, 0.1, 0, 100);
  EXPECT_LE(rep.pgd_accuracy, rep.fgsm_accuracy + 0.02) << "an honest model: PGD at least as strong as FGSM";
  EXPECT_GE(rep.noise_accuracy, rep.pgd_accuracy);
}

// The tallies: the confusion matrix of the attacked images counts every one
// once, its diagonal is the robust accuracy, and per class the successes of
// an untargeted attack are the attacked images that left their class.
TEST(RobustEval, TalliesConfusionAndSuccessPerClass) {
  data::Split data = data::make_synthetic_digits(300, 90, 2);
  nn::ModelConfig c;
  c.arch = "mlp";
  c.seed = 3;
  auto model = nn::build_model(c);
  attacks::AttackOptions fgsm;
  fgsm.eps = fgsm.step_size = 0.2;
  fgsm.steps = 1;
  const RobustResult r = robust_accuracy(*model, data.test, fgsm, 0, 32, 70);
  ASSERT_EQ(r.confusion.size(), 10u);
  std::int64_t total = 0, diagonal = 0, success = 0, eligible = 0;
  for (std::size_t t = 0; t < 10; ++t) {
    std::int64_t row = 0;
    for (std::size_t p = 0; p < 10; ++p) total += r.confusion[t][p], row += r.confusion[t][p];
    diagonal += r.confusion[t][t];
    EXPECT_EQ(r.class_success[t], row - r.confusion[t][t]) << "class " << t;
    success += r.class_success[t];
    eligible += r.class_eligible[t];
  }
  EXPECT_EQ(total, 70);
  EXPECT_EQ(eligible, 70);
  EXPECT_NEAR(static_cast<double>(diagonal) / 70, r.robust_accuracy, 1e-12);
  EXPECT_NEAR(static_cast<double>(success) / 70, r.success_rate, 1e-12);
}

TEST(RobustEval, ParseEpsSweep) {
  EXPECT_EQ(parse_eps_sweep("0:0.3:0.05").size(), 7u);
  EXPECT_EQ(parse_eps_sweep("0.1:0.1:1"), std::vector<double>{0.1});
  for (const char* bad : {"0:0.3", "a:b:c", "0.3:0:0.1", "0:1:0", "-1:0:0.1"}) EXPECT_THROW(parse_eps_sweep(bad), Error) << bad;
}

// The progress a bar draws: every batch announces each attack before it runs,
// with the examples done so far; AutoAttack announces its members in order,
// each on no more examples than the one before (only the still-robust ones).
TEST(RobustEval, ProgressNamesEveryAttackOfEveryBatch) {
  data::Split data = data::make_synthetic_digits(200, 60, 4);
  nn::ModelConfig c;
  c.arch = "mlp";
  c.seed = 5;
  auto model = nn::build_model(c);
  attacks::AttackOptions o;
  o.algorithm = attacks::AttackAlgorithm::AutoAttack;
  o.eps = 0.05;
  o.steps = 5;
  o.target_classes = 2;
  o.queries = 20;
  std::vector<RobustProgress> seen;
  const RobustResult r =
      robust_accuracy(*model, data.test, o, 0, 20, 45, [&](const RobustProgress& p) { seen.push_back(p); });
  ASSERT_EQ(seen.size(), 12u) << "3 batches (20, 20, 5) x 4 members";
  const std::vector<std::string> members{"apgd-ce", "apgd-t", "fab-t", "square"};
  for (std::size_t i = 0; i < seen.size(); ++i) {
    const std::int64_t batch = static_cast<std::int64_t>(i / 4);
    EXPECT_EQ(seen[i].done, 20 * batch);
    EXPECT_EQ(seen[i].total, 45);
    EXPECT_DOUBLE_EQ(seen[i].eps, 0.05);
    EXPECT_EQ(seen[i].attack, members[i % 4]);
    EXPECT_LE(seen[i].attacking, batch == 2 ? 5 : 20);
    if (i % 4 > 0) {
      EXPECT_LE(seen[i].attacking, seen[i - 1].attacking);
    }
  }
  EXPECT_EQ(r.count, 45);
  // A single attack is one announcement per batch, under its own name.
  attacks::AttackOptions pgd;
  pgd.steps = 2;
  seen.clear();
  robust_accuracy(*model, data.test, pgd, 0, 32, 45, [&](const RobustProgress& p) { seen.push_back(p); });
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].attack, "pgd");
  EXPECT_EQ(seen[1].done, 32);
  EXPECT_EQ(seen[1].attacking, 13);
}

}  // namespace
}  // namespace advgrad::eval
