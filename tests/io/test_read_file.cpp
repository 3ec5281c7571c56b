// io::InputFile / read_file: only regular files, sizes from fstat checked
// before any allocation, exactly the file's bytes; devices, FIFOs and
// directories refused by name without blocking.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "advgrad/io/read_file.h"
#include "expect_error.h"

namespace advgrad::io {
namespace {

using testing::expect_error;
namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("advgrad_read_file_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

std::string random_bytes(std::size_t n) {
  std::mt19937 gen(std::random_device{}());
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen());
  return s;
}

void write(const fs::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }

TEST(ReadFile, ReadsExactlyTheBytesOfARegularFile) {
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{4097}, std::size_t{70001}}) {
    const std::string bytes = random_bytes(n);
    const fs::path p = scratch("exact_" + std::to_string(n));
    write(p, bytes);
    EXPECT_EQ(read_file(p.string(), "test file"), bytes);
    const InputFile f(p.string(), "test file");
    EXPECT_EQ(f.size(), n);
    if (n > 10) {
      EXPECT_EQ(f.read(3, 7), bytes.substr(3, 7));
    }
    expect_error([&] { f.read(n, 1); }, {"past its end", std::to_string(n).c_str()});
  }
}

TEST(ReadFile, RefusesDevicesDirectoriesAndFifosWithoutBlocking) {
  expect_error([] { read_file("/dev/zero", "model file"); }, {"model file '/dev/zero'", "a character device"});
  expect_error([] { read_file("/dev/urandom", "model file"); }, {"a character device"});
  expect_error([] { read_file(::testing::TempDir(), "model file"); }, {"a directory, not a file"});
  const fs::path fifo = scratch("fifo");
  fs::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_error([&] { read_file(fifo.string(), "model file"); }, {"a FIFO (named pipe)"});  // no writer: must not wait
  expect_error([&] { read_file(scratch("missing").string(), "data file"); }, {"cannot open data file", "No such file"});
}

TEST(ReadFile, SizeLimitCheckedBeforeReading) {
  const fs::path p = scratch("sparse");
  {
    std::ofstream(p, std::ios::binary) << "x";
  }
  fs::resize_file(p, std::uint64_t{3} << 30);  // 3 GiB, sparse: nothing to read if the limit works
  expect_error([&] { read_file(p.string(), "model file", std::uint64_t{1} << 30); },
               {"3221225472 bytes, more than the 1073741824-byte limit"});
  fs::remove(p);
}

}  // namespace
}  // namespace advgrad::io
