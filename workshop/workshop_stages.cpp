#include "advgrad/workshop/workshop_stages.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <random>
#include <sstream>

#include "advgrad/core/error.h"
#include "advgrad/io/atomic_file.h"
#include "advgrad/nn/safetensors.h"

namespace advgrad::workshop {
namespace fs = std::filesystem;

std::string StageFiles::file(const std::string& name) {
  names_.push_back(name);
  const fs::path p = fs::path(dir_) / name;
  if (p.has_parent_path()) fs::create_directories(p.parent_path());
  return p.string();
}

StageRunner::StageRunner(std::string dir, bool resume, std::ostream& log, std::string context)
    : dir_(std::move(dir)), resume_(resume), log_(log) {
  const nlohmann::json c = nlohmann::json::parse(context, nullptr, false);
  ADVGRAD_CHECK(!c.is_discarded(), "stage context is not JSON: ", context);
  context_ = c.dump();  // canonical text, so records compare by value
  std::error_code ec;
  fs::create_directories(fs::path(dir_) / "stages", ec);
  ADVGRAD_CHECK(!ec, "cannot create output directory ", dir_, ": ", ec.message());
  // A run killed mid-write leaves "*.tmp-<pid>" files. Each write clears its own
  // folder's, but a resumed run that reloads every stage writes nothing into
  // stages/, so both folders are cleared here (found by the fault-injection test).
  io::remove_stale_temporaries(dir_);
  io::remove_stale_temporaries((fs::path(dir_) / "stages").string());
}

std::string StageRunner::path(const std::string& file) const { return (fs::path(dir_) / file).string(); }

const StageRunner::Done* StageRunner::find(const std::string& name) const {
  for (const auto& d : done_)
    if (d.name == name) return &d;
  return nullptr;
}
bool StageRunner::has(const std::string& name) const { return find(name) != nullptr; }
bool StageRunner::skipped(const std::string& name) const {
  const Done* d = find(name);
  return d && d->skipped;
}
const std::string& StageRunner::results(const std::string& name) const {
  const Done* d = find(name);
  ADVGRAD_CHECK(d, "stage '", name, "' has not run");
  return d->results;
}
double StageRunner::seconds(const std::string& name) const {
  const Done* d = find(name);
  ADVGRAD_CHECK(d, "stage '", name, "' has not run");
  return d->seconds;
}

namespace {

enum class Record { Missing, OtherContext, OtherInputs, Done };

// What a reused record gives back.
struct Recorded {
  std::string results, id;
  double seconds = 0;  // the time the stage took when it ran
};

// The record of a completed stage: Done if it is there, parses, was made under
// `context` from the inputs `input_ids` (name -> id; records from before
// contexts and ids have neither and match "") and all its files exist.
Record read_record(const fs::path& record, const fs::path& dir, const std::string& context,
                   const nlohmann::json& input_ids, Recorded& out) {
  std::ifstream in(record);
  if (!in) return Record::Missing;
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("results") || !j.contains("files")) return Record::Missing;
  if (j.contains("context") && j["context"].dump() != context) return Record::OtherContext;
  nlohmann::json made_from = nlohmann::json::object();
  if (j.contains("inputs")) made_from = j["inputs"];
  else
    for (const auto& [input, unused] : input_ids.items()) made_from[input] = "";
  if (made_from != input_ids) return Record::OtherInputs;
  for (const auto& f : j["files"])
    if (!f.is_string() || !fs::is_regular_file(dir / f.get<std::string>())) return Record::Missing;
  out.results = j["results"].dump();
  out.id = j.value("id", std::string());
  out.seconds = j.value("seconds", 0.0);
  return Record::Done;
}

// A fresh id for a new version of a stage's record: the wall clock in
// nanoseconds and 64 random bits, so two versions never share one.
std::string fresh_id() {
  std::random_device device;
  const std::uint64_t noise = (std::uint64_t{device()} << 32) ^ device();
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  std::ostringstream s;
  s << std::hex << ns << "-" << noise;
  return s.str();
}

}  // namespace

std::string StageRunner::run(const std::string& name, const Body& body) {
  return run_stage(name, order_, body);  // every stage before it
}

std::string StageRunner::run(const std::string& name, const std::vector<std::string>& inputs, const Body& body) {
  for (const auto& input : inputs)
    ADVGRAD_CHECK(find(input), "stage '", name, "' reads stage '", input, "', which has not run yet");
  return run_stage(name, inputs, body);
}

std::string StageRunner::run_stage(const std::string& name, const std::vector<std::string>& inputs,
                                   const Body& body) {
  ADVGRAD_CHECK(!name.empty() && name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos,
                "stage name '", name, "': use lower-case letters, digits and '-'");
  // Experiments share models (PGD-AT with ReLU is both a recipe and an
  // activation): a stage asked for again returns its first results.
  if (const Done* d = find(name)) return d->results;
  const fs::path record = fs::path(dir_) / "stages" / (name + ".json");
  nlohmann::json input_ids = nlohmann::json::object();
  for (const auto& input : inputs) input_ids[input] = find(input)->id;
  if (resume_) {
    Recorded recorded;
    const Record r = read_record(record, dir_, context_, input_ids, recorded);
    if (r == Record::Done) {
      log_ << "[" << name << "] skipped (done)\n" << std::flush;
      done_.push_back({name, recorded.results, recorded.id, recorded.seconds, true});
      order_.push_back(name);
      return done_.back().results;
    }
    if (r == Record::OtherContext) log_ << "[" << name << "] recorded with another budget or data set\n";
  }
  const std::string id = fresh_id();
  log_ << "[" << name << "] running\n" << std::flush;
  const auto start = std::chrono::steady_clock::now();
  StageFiles files(dir_);
  const std::string results = body(files);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::json parsed = nlohmann::json::parse(results, nullptr, false);
  ADVGRAD_CHECK(!parsed.is_discarded(), "stage '", name, "' returned results that are not JSON");
  for (const auto& f : files.names())
    ADVGRAD_CHECK(fs::is_regular_file(fs::path(dir_) / f), "stage '", name, "' declared ", f, " but did not write it");
  const nlohmann::json j{{"stage", name},
                         {"id", id},
                         {"seconds", seconds},
                         {"files", files.names()},
                         {"context", nlohmann::json::parse(context_)},
                         {"inputs", input_ids},
                         {"results", parsed}};
  // Last: the record is what says "done".
  io::write_file_atomically(record.string(), j.dump(2) + "\n");
  log_ << "[" << name << "] done in " << std::fixed << std::setprecision(1) << seconds << " s\n"
       << std::defaultfloat << std::flush;
  done_.push_back({name, parsed.dump(), id, seconds, false});
  order_.push_back(name);
  return done_.back().results;
}

}  // namespace advgrad::workshop
