#pragma once
// Reading entries of an in-memory zip archive (PKWARE's APPNOTE.TXT, the zip
// file format specification): the end-of-central-directory record at the end
// of the file (or its zip64 form, which PyTorch's writer emits), the central
// directory that lists every entry, and each entry's local header before its
// data.
//
// Only what checkpoints need: entries STORED (method 0, what torch.save
// writes), not encrypted, on one disk. A deflated or encrypted entry is an
// error naming it when it is read. Every offset and size is checked against the
// archive before use, and an entry's CRC-32 is checked when it is read, so a
// truncated or corrupt archive is an advgrad::Error naming `what`, never a read
// out of bounds.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "advgrad/core/error.h"

namespace advgrad::io {

// True when `bytes` starts like a zip archive (a local file header, "PK\3\4").
bool looks_like_zip(std::string_view bytes);

class ZipArchive {
 public:
  // Reads the central directory of `bytes`, which must outlive this object.
  ZipArchive(std::string_view bytes, std::string what);

  // The entry names in central-directory order.
  const std::vector<std::string>& names() const { return names_; }
  bool contains(const std::string& name) const { return entries_.count(name) > 0; }
  // The bytes of a STORED entry (a view into the archive), CRC-checked.
  std::string_view read(const std::string& name) const;

 private:
  struct Entry {
    std::uint64_t local_offset = 0, size = 0, compressed_size = 0;
    std::uint32_t crc = 0;
    std::uint16_t method = 0, flags = 0;
  };
  struct Directory {
    std::uint64_t count, size, offset;
  };
  Directory find_directory() const;
  std::size_t read_entry(std::size_t at, std::size_t end);
  void read_zip64_extra(std::string_view extra, Entry& e) const;
  template <typename... A>
  [[noreturn]] void fail(const A&... msg) const;

  std::string_view bytes_;
  std::string what_;
  std::map<std::string, Entry> entries_;
  std::vector<std::string> names_;
};

// The CRC-32 of zip (and PNG, gzip): reflected polynomial 0xEDB88320.
std::uint32_t crc32(std::string_view bytes);

}  // namespace advgrad::io
