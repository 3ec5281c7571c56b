// The resumable stage records behind `advgrad workshop --resume`: which stages
// are reused, which run again, and what a corrupt or foreign record means.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "advgrad/workshop/workshop_stages.h"
#include "expect_error.h"
#include "testing.h"

namespace advgrad::workshop {
namespace {

using advgrad::testing::expect_error;
using advgrad::testing::temp_dir;
namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(StageRunner, ResumeSkipsCompletedStagesAndRerunsFromTheFirstIncompleteOne) {
  const fs::path dir = temp_dir("stages");
  int runs_a = 0, runs_b = 0, runs_c = 0;
  const auto stage = [&](int& counter, const std::string& file, const std::string& value) {
    return [&counter, file, value](StageFiles& files) {
      ++counter;
      std::ofstream(files.file(file)) << value;
      return std::string("{\"value\": \"") + value + "\"}";
    };
  };
  std::ostringstream log1;
  {
    StageRunner runner(dir.string(), false, log1);
    EXPECT_EQ(runner.run("a", stage(runs_a, "a.txt", "1")), "{\"value\":\"1\"}");
    runner.run("b", stage(runs_b, "sub/b.txt", "2"));
    runner.run("c", stage(runs_c, "c.txt", "3"));
    EXPECT_FALSE(runner.skipped("a"));
  }
  EXPECT_TRUE(fs::is_regular_file(dir / "stages" / "b.json"));
  EXPECT_NE(read(dir / "stages" / "b.json").find("sub/b.txt"), std::string::npos);

  // b's output lost: a is skipped, b and everything after it run again.
  fs::remove(dir / "sub" / "b.txt");
  std::ostringstream log2;
  StageRunner runner(dir.string(), true, log2);
  EXPECT_EQ(runner.run("a", stage(runs_a, "a.txt", "changed")), "{\"value\":\"1\"}");  // recorded results
  runner.run("b", stage(runs_b, "sub/b.txt", "2"));
  runner.run("c", stage(runs_c, "c.txt", "3"));
  EXPECT_EQ(runs_a, 1);
  EXPECT_EQ(runs_b, 2);
  EXPECT_EQ(runs_c, 2);
  EXPECT_TRUE(runner.skipped("a"));
  EXPECT_FALSE(runner.skipped("b"));
  EXPECT_NE(log2.str().find("[a] skipped (done)"), std::string::npos);
  EXPECT_EQ(runner.order(), (std::vector<std::string>{"a", "b", "c"}));
  fs::remove_all(dir);
}

TEST(StageRunner, AStageWithNamedInputsIsReusedUnlessOneOfThemRanAgain) {
  const fs::path dir = temp_dir("stages_inputs");
  std::map<std::string, int> runs;
  const auto stage = [&](const std::string& name) {
    return [&runs, name](StageFiles& files) {
      ++runs[name];
      std::ofstream(files.file(name + ".txt")) << name;
      return std::string("{}");
    };
  };
  // a: reads every earlier stage (the default); b: only the data; c: reads a; d: the default again.
  const auto all = [&](bool resume) {
    std::ostringstream log;
    StageRunner r(dir.string(), resume, log);
    r.run("a", stage("a"));
    r.run("b", std::vector<std::string>{}, stage("b"));
    r.run("c", {"a"}, stage("c"));
    r.run("d", stage("d"));
    return r.order();
  };
  all(false);
  fs::remove(dir / "a.txt");  // a runs again, so c (which reads it) and d (after it) do; b does not
  all(true);
  EXPECT_EQ(runs, (std::map<std::string, int>{{"a", 2}, {"b", 1}, {"c", 2}, {"d", 2}}));
  fs::remove(dir / "b.txt");  // b runs again; c reads only a, so it is reused; d is after b
  EXPECT_EQ(all(true), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(runs, (std::map<std::string, int>{{"a", 2}, {"b", 2}, {"c", 2}, {"d", 3}}));
  all(true);  // everything complete: nothing runs
  EXPECT_EQ(runs, (std::map<std::string, int>{{"a", 2}, {"b", 2}, {"c", 2}, {"d", 3}}));

  // Interrupted right after a reran: the next resume reuses the new a, but c
  // and d were made from the old one, so they run again.
  fs::remove(dir / "a.txt");
  {
    std::ostringstream log;
    StageRunner(dir.string(), true, log).run("a", stage("a"));
  }
  all(true);
  EXPECT_EQ(runs, (std::map<std::string, int>{{"a", 3}, {"b", 2}, {"c", 3}, {"d", 4}}));

  std::ostringstream log;
  StageRunner fresh(dir.string(), true, log);
  expect_error([&] { fresh.run("c", {"a"}, stage("c")); }, {"stage 'c' reads stage 'a'", "has not run yet"});
  fs::remove_all(dir);
}

TEST(StageRunner, ARecordFromAnotherBudgetIsNotReused) {
  const fs::path dir = temp_dir("stages_context");
  int runs = 0;
  const auto body = [&](StageFiles&) {
    ++runs;
    return std::string("{\"runs\": ") + std::to_string(runs) + "}";
  };
  std::ostringstream log;
  StageRunner(dir.string(), false, log, R"({"epochs": 1, "data": "mnist"})").run("a", body);
  // Same context written in another key order: the same budget.
  EXPECT_EQ(StageRunner(dir.string(), true, log, R"({"data": "mnist", "epochs": 1})").run("a", body), "{\"runs\":1}");
  EXPECT_EQ(runs, 1);
  std::ostringstream other;
  EXPECT_EQ(StageRunner(dir.string(), true, other, R"({"epochs": 10, "data": "mnist"})").run("a", body),
            "{\"runs\":2}");
  EXPECT_NE(other.str().find("[a] recorded with another budget or data set"), std::string::npos) << other.str();
  // A record from before contexts were stored is reused.
  std::ofstream(dir / "stages" / "a.json") << R"({"stage": "a", "seconds": 1, "files": [], "results": {"old": 1}})";
  EXPECT_EQ(StageRunner(dir.string(), true, log, R"({"epochs": 3})").run("a", body), "{\"old\":1}");
  expect_error([&] { StageRunner(dir.string(), true, log, "{epochs"); }, {"stage context is not JSON"});
  fs::remove_all(dir);
}

TEST(StageRunner, AReusedStageReportsTheTimeItsRecordSays) {
  // A run finished by several resumes adds up its stages' recorded times.
  const fs::path dir = temp_dir("stages_seconds");
  std::ostringstream log;
  const auto body = [](StageFiles&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return std::string("{}");
  };
  StageRunner first(dir.string(), false, log);
  first.run("a", body);
  EXPECT_GE(first.seconds("a"), 0.015);
  std::ofstream(dir / "stages" / "b.json") << R"({"stage": "b", "seconds": 12.5, "files": [], "results": {}})";
  StageRunner resumed(dir.string(), true, log);
  resumed.run("a", body);
  resumed.run("b", {}, body);  // reads no stage, so a's id is no input of it
  resumed.run("c", body);
  EXPECT_TRUE(resumed.skipped("a"));
  EXPECT_DOUBLE_EQ(resumed.seconds("a"), first.seconds("a"));  // from the record, not this process
  EXPECT_TRUE(resumed.skipped("b"));
  EXPECT_DOUBLE_EQ(resumed.seconds("b"), 12.5);
  EXPECT_FALSE(resumed.skipped("c"));
  EXPECT_GE(resumed.seconds("c"), 0.015);
  expect_error([&] { resumed.seconds("d"); }, {"stage 'd' has not run"});
  fs::remove_all(dir);
}

TEST(StageRunner, ACorruptRecordMeansNotDone) {
  const fs::path dir = temp_dir("stages_corrupt");
  std::ostringstream log;
  int runs = 0;
  const auto body = [&](StageFiles&) {
    ++runs;
    return std::string("{}");
  };
  StageRunner(dir.string(), false, log).run("a", body);
  std::ofstream(dir / "stages" / "a.json") << "{\"results\": ";  // truncated
  StageRunner(dir.string(), true, log).run("a", body);
  EXPECT_EQ(runs, 2);
  fs::remove_all(dir);
}

TEST(StageRunner, RejectsBadNamesUndeclaredFilesAndNonJsonResults) {
  const fs::path dir = temp_dir("stages_bad");
  std::ostringstream log;
  StageRunner runner(dir.string(), false, log);
  expect_error([&] { runner.run("Bad Name", [](StageFiles&) { return std::string("{}"); }); }, {"stage name"});
  expect_error(
      [&] {
        runner.run("x", [](StageFiles& f) {
          f.file("never.txt");
          return std::string("{}");
        });
      },
      {"did not write it"});
  expect_error([&] { runner.run("y", [](StageFiles&) { return std::string("not json"); }); }, {"not JSON"});
  EXPECT_FALSE(fs::exists(dir / "stages" / "x.json"));
  fs::remove_all(dir);
}

// A workshop killed while writing stages/<stage>.json leaves a temporary there;
// a resumed run that reloads every stage writes nothing into stages/, so the
// runner itself clears dead processes' temporaries in both of its folders.
TEST(StageRunner, ClearsTemporariesOfDeadRunsInItsFolders) {
  const fs::path dir = temp_dir("stages-stale");
  fs::create_directories(dir / "stages");
  const pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ::waitpid(dead, nullptr, 0);
  const std::string suffix = ".tmp-" + std::to_string(dead);
  std::ofstream(dir / ("report.html" + suffix)) << "torn";
  std::ofstream(dir / "stages" / ("train.json" + suffix)) << "{\"torn";
  const std::string live = "eval.json.tmp-" + std::to_string(::getppid());  // a live process's: kept
  std::ofstream(dir / "stages" / live) << "{";
  std::ostringstream log;
  StageRunner runner(dir.string(), true, log);
  EXPECT_FALSE(fs::exists(dir / ("report.html" + suffix)));
  EXPECT_FALSE(fs::exists(dir / "stages" / ("train.json" + suffix)));
  EXPECT_TRUE(fs::exists(dir / "stages" / live));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace advgrad::workshop
