#pragma once
// A tiny zip writer for tests: STORED entries, local headers, a central
// directory, an end record and (optionally, as PyTorch's writer does) the
// zip64 end record and locator. Layout from PKWARE's APPNOTE.TXT; the CRC-32
// is zlib's, independent of io/zip_archive.cpp's.
#include <zlib.h>

#include <string>
#include <utility>
#include <vector>

#include "io/pickle_writer.h"

namespace advgrad::testing {

struct ZipEntry {
  std::string name, data;
  std::uint16_t method = 0;  // 0 stored; anything else is written as is (the data is not compressed)
};

inline std::string zip_file(const std::vector<ZipEntry>& entries, bool zip64_end = true) {
  auto le = little_endian;
  std::string out, directory;
  for (const auto& e : entries) {
    const std::uint32_t crc = static_cast<std::uint32_t>(
        ::crc32(0, reinterpret_cast<const Bytef*>(e.data.data()), static_cast<uInt>(e.data.size())));
    // version, flags, method, time, date, crc, sizes, name length, extra length
    const std::string common = le(20, 2) + le(0, 2) + le(e.method, 2) + le(0, 2) + le(0, 2) + le(crc, 4) +
                               le(e.data.size(), 4) + le(e.data.size(), 4) + le(e.name.size(), 2) + le(0, 2);
    directory +=
        le(0x02014b50, 4) + le(20, 2) + common + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(out.size(), 4) + e.name;
    out += le(0x04034b50, 4) + common + e.name + e.data;
  }
  const std::size_t dir_offset = out.size();
  out += directory;
  if (zip64_end) {
    const std::size_t record = out.size();
    out += le(0x06064b50, 4) + le(44, 8) + le(45, 2) + le(45, 2) + le(0, 4) + le(0, 4) + le(entries.size(), 8) +
           le(entries.size(), 8) + le(directory.size(), 8) + le(dir_offset, 8);
    out += le(0x07064b50, 4) + le(0, 4) + le(record, 8) + le(1, 4);
  }
  out += le(0x06054b50, 4) + le(0, 2) + le(0, 2) + le(entries.size(), 2) + le(entries.size(), 2) +
         le(directory.size(), 4) + le(dir_offset, 4) + le(0, 2);
  return out;
}

}  // namespace advgrad::testing
