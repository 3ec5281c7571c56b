#pragma once
// Files that are either the old complete version or the new complete one,
// never half-written: every model, checkpoint, figure and report is written
// through here.
#include <string>

namespace advgrad::io {

// Writes `bytes` to `path` atomically: a temporary file beside it
// ("<path>.tmp-<pid>"), fsync, then rename over `path`. On any failure the
// temporary file is removed, `path` is untouched, and advgrad::Error names the
// path and the system's reason.
void write_file_atomically(const std::string& path, const std::string& bytes);

}  // namespace advgrad::io
