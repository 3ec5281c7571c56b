#include "progress_bar.h"

#include <unistd.h>

#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace advgrad::cli {

ProgressBar::ProgressBar(std::string label) : label_(std::move(label)) {
  const char* env = std::getenv("ADVGRAD_PROGRESS");
  forced_ = env != nullptr && std::string(env) == "1";
  terminal_ = !forced_ && ::isatty(STDERR_FILENO) == 1;
}

void ProgressBar::finish() {
  if (terminal_ && drawn_) std::cerr << "\r\033[K" << std::flush;
  drawn_ = false;
}

eval::RobustProgressCallback ProgressBar::callback() {
  if (!terminal_ && !forced_) return {};
  return [this](const eval::RobustProgress& p) { draw(p); };
}

void ProgressBar::draw(const eval::RobustProgress& p) {
  constexpr int kWidth = 24;
  const double fraction = p.total > 0 ? static_cast<double>(p.done) / static_cast<double>(p.total) : 0;
  const int filled = static_cast<int>(fraction * kWidth);
  std::ostringstream line;
  line << label_ << " eps " << p.eps << " [" << std::string(static_cast<std::size_t>(filled), '#')
       << std::string(static_cast<std::size_t>(kWidth - filled), '.') << "] " << p.done << "/" << p.total
       << " done, " << p.attack << " on " << p.attacking << " example" << (p.attacking == 1 ? "" : "s");
  if (terminal_) {
    std::cerr << "\r\033[K" << line.str() << std::flush;
    drawn_ = true;
  } else {
    std::cerr << line.str() << "\n";
  }
}

}  // namespace advgrad::cli
