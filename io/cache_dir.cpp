#include "advgrad/io/cache_dir.h"

#include <cstdlib>

#include "advgrad/core/error.h"

namespace advgrad::io {

namespace {
const char* non_empty_env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : nullptr;
}
}  // namespace

std::string cache_dir() {
  if (const char* d = non_empty_env("ADVGRAD_CACHE_DIR")) return d;
  if (const char* x = non_empty_env("XDG_CACHE_HOME")) return std::string(x) + "/advgrad";
  if (const char* h = non_empty_env("HOME")) return std::string(h) + "/.cache/advgrad";
  throw Error("advgrad cache: none of ADVGRAD_CACHE_DIR, XDG_CACHE_HOME or HOME is set, so there is no cache "
              "directory to look in; set ADVGRAD_CACHE_DIR");
}

std::string cache_path(const std::string& sub) { return cache_dir() + "/" + sub; }

}  // namespace advgrad::io
