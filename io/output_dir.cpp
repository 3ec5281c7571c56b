#include "advgrad/io/output_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "advgrad/core/error.h"
#include "advgrad/io/read_file.h"

namespace advgrad::io {

void make_output_dir(const std::string& dir, const std::string& flag) {
  ADVGRAD_CHECK(!dir.empty(), "cannot use ", flag, " '': the folder name is empty");
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    ADVGRAD_CHECK(S_ISDIR(st.st_mode), "cannot use ", flag, " '", dir, "': it is ", file_type_name(st.st_mode),
                  ", not a directory");
    ADVGRAD_CHECK(::access(dir.c_str(), W_OK | X_OK) == 0, "cannot use ", flag, " '", dir,
                  "': the directory is not writable");
    return;
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  ADVGRAD_CHECK(!ec, "cannot use ", flag, " '", dir, "': cannot create the directory: ", ec.message());
}

}  // namespace advgrad::io
