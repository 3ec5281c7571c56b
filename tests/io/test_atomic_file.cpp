// io::write_file_atomically: only regular files replaced (devices, FIFOs,
// directories refused and left alone), symlinks written through, stale
// temporaries of dead processes removed, and a write past a file-size limit
// an error that leaves the old file intact.
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "advgrad/io/atomic_file.h"
#include "advgrad/io/read_file.h"
#include "expect_error.h"

namespace advgrad::io {
namespace {

using testing::expect_error;
namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("advgrad_atomic_" + std::to_string(::getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string random_bytes(std::size_t n) {
  std::mt19937 gen(std::random_device{}());
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen());
  return s;
}

std::string slurp(const fs::path& p) { return read_file(p.string(), "test file"); }

// The pid of a process that has exited (and been reaped).
pid_t dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

TEST(AtomicFile, ReplacesARegularFileKeepingItsMode) {
  const fs::path dir = fresh_dir("replace");
  const fs::path p = dir / "m.bin";
  write_file_atomically(p.string(), random_bytes(333));
  ::chmod(p.c_str(), 0600);
  const std::string bytes = random_bytes(5003);
  write_file_atomically(p.string(), bytes);
  EXPECT_EQ(slurp(p), bytes);
  EXPECT_EQ(fs::status(p).permissions(), fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);  // no temporary left
}

// check_writable refuses up front what the write would refuse at the end, and
// leaves nothing behind where it succeeds (its probe file is removed).
TEST(AtomicFile, CheckWritableRefusesBeforeTheWork) {
  const fs::path dir = fresh_dir("check");
  expect_error([] { check_writable("/dev/full", "--out"); },
               {"cannot use --out '/dev/full'", "a character device, not a regular file"});
  expect_error([&] { check_writable(dir.string(), "--checkpoint"); }, {"cannot use --checkpoint", "a directory"});
  expect_error([&] { check_writable((dir / "missing" / "m.bin").string(), "--out"); },
               {"cannot create a file in", "No such file or directory"});
  expect_error([] { check_writable("/proc/advgrad_x", "--out"); }, {"cannot use --out '/proc/advgrad_x'"});
  std::string name = std::to_string(std::random_device{}());  // (GCC 12 warns, wrongly, on "m" + to_string)
  name += ".bin";
  const fs::path fresh = dir / name;
  check_writable(fresh.string(), "--out");
  EXPECT_FALSE(fs::exists(fresh));
  const std::string bytes = random_bytes(77);
  write_file_atomically(fresh.string(), bytes);
  check_writable(fresh.string(), "--out");
  EXPECT_EQ(slurp(fresh), bytes);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);  // no probe left
}

TEST(AtomicFile, RefusesDevicesFifosAndDirectories) {
  const fs::path dir = fresh_dir("refuse");
  expect_error([] { write_file_atomically("/dev/null", "x"); }, {"'/dev/null'", "a character device, not a regular file"});
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  const fs::path fifo = dir / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_error([&] { write_file_atomically(fifo.string(), "x"); }, {"a FIFO (named pipe)"});
  EXPECT_TRUE(fs::is_fifo(fifo));
  fs::create_directory(dir / "sub");
  expect_error([&] { write_file_atomically((dir / "sub").string(), "x"); }, {"a directory"});
  EXPECT_TRUE(fs::is_directory(dir / "sub"));
  fs::create_symlink("/dev/null", dir / "to_null");
  expect_error([&] { write_file_atomically((dir / "to_null").string(), "x"); }, {"link target '/dev/null'", "character device"});
  EXPECT_TRUE(fs::is_symlink(dir / "to_null"));
}

TEST(AtomicFile, WritesThroughSymlinks) {
  const fs::path dir = fresh_dir("links");
  fs::create_directory(dir / "runs");
  write_file_atomically((dir / "runs" / "m.bin").string(), "old");
  fs::create_symlink("runs/m.bin", dir / "latest");  // relative, resolved against the link's folder
  fs::create_symlink(dir / "latest", dir / "latest2");  // a chain
  const std::string bytes = random_bytes(777);
  write_file_atomically((dir / "latest2").string(), bytes);
  EXPECT_TRUE(fs::is_symlink(dir / "latest"));
  EXPECT_TRUE(fs::is_symlink(dir / "latest2"));
  EXPECT_EQ(slurp(dir / "runs" / "m.bin"), bytes);
  fs::create_symlink(dir / "created.bin", dir / "dangling");
  write_file_atomically((dir / "dangling").string(), bytes);
  EXPECT_EQ(slurp(dir / "created.bin"), bytes);
  fs::create_symlink(dir / "loop_b", dir / "loop_a");
  fs::create_symlink(dir / "loop_a", dir / "loop_b");
  expect_error([&] { write_file_atomically((dir / "loop_a").string(), "x"); }, {"too many levels of symbolic links"});
}

TEST(AtomicFile, RemovesStaleTemporariesOfDeadProcessesOnly) {
  const fs::path dir = fresh_dir("stale");
  const pid_t dead = dead_pid();
  const std::string stale1 = "m.bin.tmp-" + std::to_string(dead), stale2 = "other.csv.tmp-" + std::to_string(dead);
  const std::string live = "m.bin.tmp-" + std::to_string(::getppid());  // the parent is alive
  for (const auto& n : {stale1, stale2, live, std::string("notes.tmp-x"), std::string("a.tmp-")})
    std::ofstream(dir / n) << random_bytes(101);
  fs::create_directory(dir / ("d.tmp-" + std::to_string(dead)));  // not a regular file: kept
  write_file_atomically((dir / "m.bin").string(), "new");
  EXPECT_FALSE(fs::exists(dir / stale1));
  EXPECT_FALSE(fs::exists(dir / stale2));
  EXPECT_TRUE(fs::exists(dir / live));
  EXPECT_TRUE(fs::exists(dir / "notes.tmp-x"));
  EXPECT_TRUE(fs::exists(dir / "a.tmp-"));
  EXPECT_TRUE(fs::is_directory(dir / ("d.tmp-" + std::to_string(dead))));
  EXPECT_EQ(slurp(dir / "m.bin"), "new");
}

TEST(AtomicFile, FileSizeLimitLeavesTheOldFileIntact) {
  // In a child: RLIMIT_FSIZE is process-wide, and the child reports by exit code.
  const fs::path dir = fresh_dir("fsize");
  const fs::path p = dir / "m.bin";
  const std::string old = random_bytes(1000 + std::random_device{}() % 1000);
  write_file_atomically(p.string(), old);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    rlimit lim{};
    ::getrlimit(RLIMIT_FSIZE, &lim);
    lim.rlim_cur = 4096;
    ::setrlimit(RLIMIT_FSIZE, &lim);
    try {
      write_file_atomically(p.string(), std::string(100000, 'x'));
    } catch (const Error& e) {
      ::_exit(std::string(e.what()).find("File too large") != std::string::npos ? 0 : 2);
    }
    ::_exit(1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: the write succeeded; 2: a different error";
  EXPECT_EQ(slurp(p), old);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);  // no temporary left
}

}  // namespace
}  // namespace advgrad::io
