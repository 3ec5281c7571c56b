#pragma once
// A one-line progress display on stderr for the long evaluations of attack
// and robustness: which attack is running (AutoAttack: which member), on how
// many examples, and how far through the data set. Drawn in place only when
// stderr is a terminal, so logs and pipes stay clean; ADVGRAD_PROGRESS=1
// forces it, one line per update (what tests read).
#include <string>

#include "advgrad/eval/robust_eval.h"

namespace advgrad::cli {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  ~ProgressBar() { finish(); }
  // Clears the line it drew, so what the command prints next starts on a clean
  // line; call it when the evaluation is over (the destructor does too).
  void finish();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // The callback to hand to eval::robust_accuracy / eval::eps_sweep; empty when
  // nothing is drawn, so the evaluation skips the calls.
  eval::RobustProgressCallback callback();

 private:
  void draw(const eval::RobustProgress& p);
  std::string label_;
  bool terminal_ = false, forced_ = false, drawn_ = false;
};

}  // namespace advgrad::cli
