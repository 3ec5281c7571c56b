#pragma once
// The workshop: the whole story of gradients with respect to the input, end
// to end, in one output directory.
//
//   baseline        train the CNN (standard training)
//   attacks         FGSM, PGD and targeted PGD on it: example grids, an eps sweep
//   saliency        where dLoss/dImage looks (gradient, SmoothGrad, integrated gradients)
//   optimizers      does the optimizer change robustness? (optimizer_experiment)
//   (and, with the recipes: static FGSM retraining, online adversarial
//   training, NSL, AdvProp, smooth activations)
//   comparison      clean, FGSM and PGD-40 accuracy and training time per recipe
//
// Every stage is resumable (workshop_stages.h) and writes its files atomically;
// at the end report.html (self-contained), report.md and results.json are
// written from the recorded results of all stages, run now or earlier.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "advgrad/data/dataset.h"
#include "advgrad/workshop/experiment.h"

namespace advgrad::workshop {

struct WorkshopOptions {
  std::string budget = "default";  // quick, default, full (experiment.h)
  std::string out = "workshop-out";
  bool resume = false;
  std::uint64_t seed = 0;
  // How the run was started, quoted in the report's introduction (the CLI
  // passes its own command line); empty: "advgrad workshop" and the options.
  std::string command;
};

struct WorkshopSummary {
  std::vector<std::string> stages_run, stages_skipped;
  std::vector<RobustRow> comparison;  // one row per recipe
  std::vector<std::string> files;     // everything in the output directory, relative
  double seconds = 0;        // this process
  double stage_seconds = 0;  // every stage's time, the reused ones' as recorded: the whole run's compute
};

// Runs the workshop on `data` (the whole split; the budget takes its subsets,
// and Noisy Student's unlabelled images are training images outside them).
WorkshopSummary run_workshop(const data::Split& data, const WorkshopOptions& options, std::ostream& log);

}  // namespace advgrad::workshop
