#include "advgrad/io/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "advgrad/core/error.h"
#include "advgrad/io/read_file.h"

namespace advgrad::io {
namespace {

std::string dir_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// The system's reason, with what it means for the user where that is not obvious.
std::string reason(int err) {
  std::string r = std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) r += " (the disk is full; the old file, if any, is untouched)";
  if (err == EFBIG) r += " (a file-size limit, ulimit -f; the old file, if any, is untouched)";
  return r;
}

// The path the write replaces: `path` itself, or for a symbolic link the end
// of its chain. Refuses anything that exists and is not a regular file;
// messages start with `what` ("cannot write 'x'").
std::string target_of(const std::string& path, const std::string& what) {
  std::string target = path;
  for (int hops = 0;; ++hops) {
    struct stat st {};
    if (::lstat(target.c_str(), &st) != 0) {
      const int err = errno;
      if (err == ENOENT) return target;  // a new file (perhaps the target of a dangling link)
      detail::fail(what, ": ", reason(err));
    }
    if (S_ISREG(st.st_mode)) return target;
    if (!S_ISLNK(st.st_mode))
      detail::fail(what, ": ", target == path ? "it" : "its link target '" + target + "'", " is ",
                   file_type_name(st.st_mode), ", not a regular file (advgrad replaces only regular files)");
    ADVGRAD_CHECK(hops < 40, what, ": too many levels of symbolic links");
    std::vector<char> buf(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 4095) + 1);
    const ssize_t n = ::readlink(target.c_str(), buf.data(), buf.size());
    ADVGRAD_CHECK(n > 0, what, ": cannot read the symbolic link '", target, "': ", reason(errno));
    const std::string link(buf.data(), static_cast<std::size_t>(n));
    target = link[0] == '/' ? link : dir_of(target) + "/" + link;
  }
}

// The pid in a name ending ".tmp-<digits>", or 0.
long temporary_pid(const std::string& name) {
  const auto at = name.rfind(".tmp-");
  if (at == std::string::npos || at + 5 == name.size() || name.size() - at - 5 > 9) return 0;
  long pid = 0;
  for (std::size_t i = at + 5; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return 0;
    pid = pid * 10 + (name[i] - '0');
  }
  return pid;
}

}  // namespace

int remove_stale_temporaries(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return 0;
  std::vector<std::string> stale;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    const long pid = temporary_pid(name);
    if (pid <= 0 || pid == ::getpid()) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // alive (or not ours to judge)
    stale.push_back(dir + "/" + name);
  }
  ::closedir(d);
  int removed = 0;
  for (const auto& p : stale) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::unlink(p.c_str()) == 0) ++removed;
  }
  return removed;
}

void check_writable(const std::string& path, const std::string& flag) {
  const std::string what = "cannot use " + flag + " '" + path + "'";
  ADVGRAD_CHECK(!path.empty(), what, ": the file name is empty");
  const std::string target = target_of(path, what);
  const std::string tmp = target + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int err = errno;
    if (err == EEXIST) return;  // this process's own temporary: a write is under way there, so it is writable
    detail::fail(what, ": cannot create a file in '", dir_of(target), "': ", reason(err));
  }
  ::close(fd);
  ::unlink(tmp.c_str());
}

void write_file_atomically(const std::string& path, const std::string& bytes) {
  ADVGRAD_CHECK(!path.empty(), "cannot write a file with an empty name");
  const std::string target = target_of(path, "cannot write '" + path + "'");
  remove_stale_temporaries(dir_of(target));
  const std::string tmp = target + ".tmp-" + std::to_string(::getpid());
  ::unlink(tmp.c_str());  // a leftover of this pid's earlier life; O_EXCL below then creates it afresh
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  ADVGRAD_CHECK(fd >= 0, "cannot write '", path, "': ", reason(errno));
  auto give_up = [&](int err) {
    ::close(fd);
    ::unlink(tmp.c_str());
    detail::fail("cannot write '", path, "': ", reason(err));
  };
  struct stat old {};
  if (::stat(target.c_str(), &old) == 0 && ::fchmod(fd, old.st_mode & 07777) != 0) give_up(errno);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) give_up(n == 0 ? EIO : errno);
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) give_up(errno);
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    detail::fail("cannot write '", path, "': ", reason(err));
  }
  if (std::rename(tmp.c_str(), target.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    detail::fail("cannot write '", path, "': ", reason(err));
  }
}

}  // namespace advgrad::io
