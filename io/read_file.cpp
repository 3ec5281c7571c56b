#include "advgrad/io/read_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "advgrad/core/error.h"

namespace advgrad::io {

std::string read_file(const std::string& path, const std::string& kind) {
  std::ifstream in(path, std::ios::binary);
  ADVGRAD_CHECK(in.good(), "cannot open ", kind, " '", path, "': ", std::strerror(errno));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  ADVGRAD_CHECK(!in.bad(), "cannot read ", kind, " '", path, "'");
  return bytes.str();
}

}  // namespace advgrad::io
