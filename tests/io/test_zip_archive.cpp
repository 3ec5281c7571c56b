// ZipArchive: archives written by tests/io/zip_writer.h (with and without the
// zip64 end record), and corrupt, truncated or unsupported ones refused.
#include "advgrad/io/zip_archive.h"

#include <gtest/gtest.h>

#include "expect_error.h"
#include "io/zip_writer.h"

namespace advgrad::io {
namespace {

using testing::expect_error;
using testing::zip_file;
using testing::ZipEntry;

const std::vector<ZipEntry> kEntries{
    {"archive/data.pkl", "pickle bytes"}, {"archive/data/0", std::string("\0\1\2\3", 4)}, {"archive/empty", ""}};

TEST(ZipArchive, ReadsStoredEntriesWithAndWithoutZip64EndRecord) {
  for (bool zip64 : {true, false}) {
    SCOPED_TRACE(zip64);
    const std::string bytes = zip_file(kEntries, zip64);
    ASSERT_TRUE(looks_like_zip(bytes));
    const ZipArchive zip(bytes, "test.zip");
    EXPECT_EQ(zip.names(), (std::vector<std::string>{"archive/data.pkl", "archive/data/0", "archive/empty"}));
    EXPECT_EQ(zip.read("archive/data.pkl"), "pickle bytes");
    EXPECT_EQ(zip.read("archive/data/0"), std::string_view("\0\1\2\3", 4));
    EXPECT_EQ(zip.read("archive/empty"), "");
    EXPECT_TRUE(zip.contains("archive/empty"));
    EXPECT_FALSE(zip.contains("archive/other"));
  }
}

TEST(ZipArchive, Crc32MatchesTheStandardCheckValue) {
  EXPECT_EQ(crc32("123456789"), 0xcbf43926u);  // the CRC-32 "check" value of the catalogue of CRCs
  EXPECT_EQ(crc32(""), 0u);
}

TEST(ZipArchive, RefusesMissingCompressedAndCorruptEntries) {
  const std::string bytes = zip_file({{"a", "hello"}, {"deflated", "xyz", 8}});
  const ZipArchive zip(bytes, "t.zip");
  expect_error([&] { zip.read("missing"); }, {"t.zip", "no entry 'missing'"});
  expect_error([&] { zip.read("deflated"); }, {"t.zip", "compressed (method 8)"});
  std::string corrupt = bytes;
  corrupt[corrupt.find("hello")] = 'j';
  expect_error([&] { ZipArchive(corrupt, "c.zip").read("a"); }, {"c.zip", "CRC-32"});
  expect_error([] { ZipArchive("not a zip at all, just some text", "x.zip"); },
               {"x.zip", "no end-of-central-directory"});
  expect_error([] { ZipArchive("PK", "y.zip"); }, {"y.zip", "too short"});
}

TEST(ZipArchive, RefusesOffsetsOutsideTheFile) {
  std::string bytes = zip_file({{"a", "hello"}}, false);
  std::string lying = bytes;
  lying[lying.size() - 6] = '\x7f';  // the central directory's offset, now past the end
  expect_error([&] { ZipArchive(lying, "l.zip"); }, {"l.zip", "runs past the end"});
  lying = bytes;
  lying[lying.size() - 22 + 10] = '\x09';  // 9 entries in a 1-entry directory
  expect_error([&] { ZipArchive(lying, "n.zip"); }, {"n.zip", "cannot fit"});
}

TEST(ZipArchive, EveryTruncationIsAnErrorOrAMissingEntry) {
  for (bool zip64 : {true, false}) {
    const std::string bytes = zip_file(kEntries, zip64);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      SCOPED_TRACE(n);
      EXPECT_THROW(
          {
            const std::string cut = bytes.substr(0, n);
            const ZipArchive zip(cut, "cut.zip");
            for (const auto& e : kEntries) zip.read(e.name);
          },
          Error);
    }
  }
}

}  // namespace
}  // namespace advgrad::io
