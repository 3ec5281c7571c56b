#pragma once
// The folder a command writes its files into (--out), made before the work
// starts so a bad path is refused at once, not after an hour of training or
// attacking.
#include <string>

namespace advgrad::io {

// Creates `dir` and any missing parents. advgrad::Error "cannot use <flag>
// '<dir>': <reason>" when it cannot be: a regular file or device is in the way
// ("it is a regular file, not a directory"), a parent is not writable, the
// path is in /proc or /sys, ...
void make_output_dir(const std::string& dir, const std::string& flag = "--out");

}  // namespace advgrad::io
