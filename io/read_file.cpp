#include "advgrad/io/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "advgrad/core/error.h"

namespace advgrad::io {

std::string file_type_name(unsigned mode) {
  switch (mode & S_IFMT) {
    case S_IFDIR: return "a directory";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    case S_IFIFO: return "a FIFO (named pipe)";
    case S_IFSOCK: return "a socket";
    case S_IFLNK: return "a symbolic link";
    case S_IFREG: return "a regular file";
  }
  return "not a regular file";
}

InputFile::InputFile(const std::string& path, const std::string& kind) : path_(path), kind_(kind) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  // It has no effect on the regular files that pass the check below.
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd_ < 0) {
    const int err = errno;
    detail::fail("cannot open ", kind, " '", path, "': ", std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    const int err = errno;
    ::close(fd_);
    detail::fail("cannot read ", kind, " '", path, "': ", std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd_);
    detail::fail("cannot read ", kind, " '", path, "': it is ", file_type_name(st.st_mode), ", not a file");
  }
  size_ = static_cast<std::uint64_t>(st.st_size);
}

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

void InputFile::fail(const std::string& reason) const { detail::fail("cannot read ", kind_, " '", path_, "': ", reason); }

std::string InputFile::read(std::uint64_t offset, std::uint64_t n) const {
  if (offset > size_ || n > size_ - offset)
    fail(detail::concat("bytes ", offset, " to ", offset + n, " lie past its end (", size_, " bytes)"));
  std::string out(static_cast<std::size_t>(n), '\0');
  std::size_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fd_, out.data() + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) fail(std::strerror(errno));
    if (got == 0) fail(detail::concat("it ended after ", offset + done, " bytes (was it truncated while being read?)"));
    done += static_cast<std::size_t>(got);
  }
  return out;
}

std::string InputFile::read_all(std::uint64_t max_bytes) const {
  if (size_ > max_bytes)
    fail(detail::concat("it is ", size_, " bytes, more than the ", max_bytes, "-byte limit for a ", kind_));
  return read(0, size_);
}

std::string read_file(const std::string& path, const std::string& kind, std::uint64_t max_bytes) {
  return InputFile(path, kind).read_all(max_bytes);
}

}  // namespace advgrad::io
