#pragma once
// Resumable stages: the bookkeeping behind `advgrad workshop --resume` and the
// experiment commands. A stage is a named piece of work that writes files into
// the output directory and returns its results as JSON text. When it finishes,
// its record stages/<name>.json (results, files, seconds) is written
// atomically, after every file it declared; so a record exists only for a
// stage whose files are all complete. With resume on, a stage whose record
// exists and whose files are all still there is skipped ("skipped (done)") and
// its recorded results are returned. A record is reused only under the same
// context (the budget and data set, as JSON text), so a resume with other
// flags runs its stages again instead of mixing results.
//
// Later stages build on earlier ones (the baseline model, the FGSM copies).
// Each record has an id, fresh whenever the stage runs, and the ids of the
// stages it read; it is reused only while those inputs still have the same
// ids, so a stage that read an older version of an input runs again even if
// that input was rerun by an earlier, interrupted process. By default a stage
// reads every stage before it, so once one stage runs, every default stage
// after it runs too: a resumed run continues from the first incomplete stage.
// A stage that names its inputs (run(name, inputs, body)) is reused whenever
// none of those inputs changed, so training stages that need only the data
// and the budget survive a rerun of the stages around them, the way make keeps
// targets whose prerequisites did not change. Files are
// written atomically by the stages themselves (write_file_atomically,
// report::write_figure, save_model), so an interrupted run leaves old or complete files,
// never half-written ones.
//
// Results are JSON text rather than a JSON object so that this header (which
// is installed) does not pull in the JSON library.
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace advgrad::workshop {

// What a running stage uses to name its files; every file it names is
// checked for on resume.
class StageFiles {
 public:
  explicit StageFiles(std::string dir) : dir_(std::move(dir)) {}
  // The path of `name` (relative to the output directory), recorded as one of the stage's files.
  std::string file(const std::string& name);
  const std::vector<std::string>& names() const { return names_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::vector<std::string> names_;
};

class StageRunner {
 public:
  // Creates `dir` (and dir/stages). With resume off, existing records are
  // ignored and overwritten. `context` (JSON text, e.g. the budget) is stored
  // in each record; a record with another context is not reused. Records
  // without one (written before contexts existed) are.
  StageRunner(std::string dir, bool resume, std::ostream& log, std::string context = "{}");

  using Body = std::function<std::string(StageFiles& files)>;  // returns results as JSON text
  // Runs (or skips) the stage `name` ([a-z0-9-] only) and returns its results;
  // a stage already run (or skipped) by this runner is not run again. The
  // stage may read any stage before it, so on resume it is skipped only if
  // they are all the versions its record was made from.
  std::string run(const std::string& name, const Body& body);
  // The same for a stage that reads only the stages in `inputs` (each already
  // run or skipped by this runner; empty: only the data and the budget). On
  // resume it is skipped when those inputs are the versions it was made from.
  std::string run(const std::string& name, const std::vector<std::string>& inputs, const Body& body);

  // The recorded results of a stage run (or skipped) earlier in this process.
  bool has(const std::string& name) const;
  const std::string& results(const std::string& name) const;
  bool skipped(const std::string& name) const;
  // The seconds the stage took when it ran: in this process, or as its record
  // says when it was skipped (0 for records without a time). Summed over
  // order(), it is the compute time of a run that several resumes finished.
  double seconds(const std::string& name) const;
  // Stage names in the order they ran.
  const std::vector<std::string>& order() const { return order_; }
  std::string path(const std::string& file) const;  // dir/file
  const std::string& dir() const { return dir_; }
  std::ostream& log() { return log_; }

 private:
  struct Done {
    std::string name, results;
    std::string id;  // this version of the stage's record ("" for records older than ids)
    double seconds = 0;
    bool skipped = false;
  };
  const Done* find(const std::string& name) const;
  std::string run_stage(const std::string& name, const std::vector<std::string>& inputs, const Body& body);
  std::string dir_;
  bool resume_;
  std::string context_;
  std::ostream& log_;
  std::vector<Done> done_;
  std::vector<std::string> order_;
};

}  // namespace advgrad::workshop
