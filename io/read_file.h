#pragma once
// Reading a whole file into memory, for the parsers that check a file's bytes
// before believing any of them (model files, checkpoints).
#include <string>

namespace advgrad::io {

// The bytes of `path`. On failure, advgrad::Error "cannot open <kind> '<path>':
// <the system's reason>" (or "cannot read ..."), e.g. kind = "model file".
std::string read_file(const std::string& path, const std::string& kind);

}  // namespace advgrad::io
