// The workshop's pretrained part: without the fetched files it says how to
// get them and runs no stage; with them (scripts/fetch-pretrained.sh and
// scripts/fetch-photos.sh; skipped, visibly, without) it classifies the
// photos and its two attacks reach their goals inside their budgets, and
// with enough training images it adds the transfer table with McNemar's test.
#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "advgrad/io/cache_dir.h"
#include "advgrad/workshop/experiment_transfer.h"
#include "advgrad/workshop/workshop_parts.h"
#include "testing.h"

namespace advgrad::workshop {
namespace {

namespace fs = std::filesystem;

struct PartRun {
  std::vector<std::string> stages;  // the stages it ran
  std::string results;              // the photo stage's results (JSON), when it ran
  std::string corruptions;          // the corruption stage's results
  std::string markdown;             // its section of the report
};

// Runs pretrained_part alone at the quick budget, writing into `out` (60
// synthetic training images by default: too few for the transfer table).
PartRun run_part(const fs::path& out, const data::Split& data = data::make_synthetic_digits(60, 20, 1)) {
  const ExperimentBudget budget = make_budget("quick", data.train);
  std::ostringstream log;
  StageRunner runner(out.string(), false, log);
  report::Report report("test");
  WorkshopContext ctx{runner, report, data, budget, data.train, nullptr, {}};
  pretrained_part(ctx);
  const auto results = [&](const char* stage) { return runner.has(stage) ? runner.results(stage) : ""; };
  PartRun r{runner.order(), results("pretrained-photos"), results("pretrained-corruptions"), report.markdown()};
  return r;
}

TEST(PretrainedPart, WithoutTheWeightsItSaysHowToFetchThemAndRunsNoStage) {
  const fs::path empty_cache = testing::temp_dir("pretrained-part-empty-cache");
  testing::EnvScope cache("ADVGRAD_CACHE_DIR", empty_cache.c_str());
  const PartRun r = run_part(testing::temp_dir("pretrained-part-out-empty"));
  EXPECT_TRUE(r.stages.empty());
  EXPECT_NE(r.markdown.find("scripts/fetch-pretrained.sh"), std::string::npos) << r.markdown;
  EXPECT_NE(r.markdown.find("did not run"), std::string::npos) << r.markdown;
}

TEST(PretrainedPart, ClassifiesThePhotosAndBothAttacksReachTheirGoals) {
  if (!fs::exists(io::cache_path("pretrained") + "/efficientnet-lite0.pth") ||
      !fs::exists(io::cache_path("photos") + "/chelsea.png"))
    GTEST_SKIP() << "run scripts/fetch-pretrained.sh and scripts/fetch-photos.sh to fetch the weights and photos";
  const fs::path out = testing::temp_dir("pretrained-part-out");
  const PartRun r = run_part(out);
  ASSERT_EQ(r.stages, (std::vector<std::string>{"pretrained-photos", "pretrained-corruptions"}));
  const auto j = nlohmann::json::parse(r.results);
  ASSERT_EQ(j["top5"].size(), 3u);  // the quick budget's first three photos
  for (const auto& row : j["top5"]) {
    ASSERT_EQ(row["top5"].size(), 5u);
    double previous = 1;
    for (const auto& p : row["top5"]) {  // most likely first
      EXPECT_LE(p["p"].get<double>(), previous);
      previous = p["p"].get<double>();
    }
  }
  EXPECT_TRUE(j["untargeted"]["success"].get<bool>());
  EXPECT_LE(j["untargeted"]["linf_255"].get<double>(), 1 + 1e-3);
  EXPECT_NE(j["untargeted"]["adversarial"]["index"], j["untargeted"]["clean"]["index"]);
  EXPECT_EQ(j["targeted"]["target"].get<std::int64_t>(), 859);  // toaster
  EXPECT_TRUE(j["targeted"]["success"].get<bool>());
  EXPECT_EQ(j["targeted"]["adversarial"]["name"], "toaster");
  EXPECT_LE(j["targeted"]["linf_255"].get<double>(), 4 + 1e-3);
  for (const char* f : {"pretrained_untargeted.svg", "pretrained_untargeted.png", "pretrained_targeted.svg",
                        "pretrained_targeted.png"})
    EXPECT_TRUE(fs::is_regular_file(out / f)) << f;
  EXPECT_NE(r.markdown.find("toaster"), std::string::npos);
  // The quick corruptions: the clean row, then 3 corruptions x severities 1 and 5.
  const auto c = nlohmann::json::parse(r.corruptions);
  ASSERT_EQ(c["rows"].size(), 7u);
  EXPECT_EQ(c["rows"][0]["corruption"], "clean");
  EXPECT_EQ(c["rows"][0]["unchanged"].get<double>(), 1.0);  // the clean top-1 is itself
  for (const auto& row : c["rows"]) {
    EXPECT_GE(row["unchanged"].get<double>(), 0.0);
    EXPECT_LE(row["unchanged"].get<double>(), 1.0);
  }
  EXPECT_TRUE(fs::is_regular_file(out / "pretrained_corruptions.png"));
  // 60 training images are too few for the transfer table: said, and no stage.
  EXPECT_NE(r.markdown.find("The transfer table did not run"), std::string::npos) << r.markdown;
}

// The transfer table (experiment_transfer.h): at the quick budget with enough
// training images, the frozen and small-cnn rows at both quick sizes and
// McNemar's test between them in the report.
TEST(PretrainedPart, TransferTableWithMcNemarWhenThereAreEnoughTrainingImages) {
  if (!fs::exists(io::cache_path("pretrained") + "/efficientnet-lite0.pth") ||
      !fs::exists(io::cache_path("photos") + "/chelsea.png"))
    GTEST_SKIP() << "run scripts/fetch-pretrained.sh and scripts/fetch-photos.sh to fetch the weights and photos";
  const data::Split data = data::make_synthetic_digits(157, 43, 3);
  const fs::path out = testing::temp_dir("pretrained-part-transfer");
  const PartRun r = run_part(out, data);
  const TransferBudget b = workshop_transfer_budget(make_budget("quick", data.train));
  for (std::int64_t n : b.sizes)
    for (const std::string m : {"frozen", "small-cnn"})
      EXPECT_NE(std::find(r.stages.begin(), r.stages.end(), m + "-" + std::to_string(n)), r.stages.end()) << m << n;
  EXPECT_TRUE(fs::is_regular_file(out / "transfer_paired.csv"));
  EXPECT_TRUE(fs::is_regular_file(out / "transfer.svg"));
  EXPECT_NE(r.markdown.find("McNemar exact p"), std::string::npos) << r.markdown;
  EXPECT_NE(r.markdown.find("| frozen |"), std::string::npos) << r.markdown;
}

}  // namespace
}  // namespace advgrad::workshop
