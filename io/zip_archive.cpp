#include "advgrad/io/zip_archive.h"

#include <algorithm>
#include <array>

#include "advgrad/core/error.h"

namespace advgrad::io {
namespace {

// Record signatures and fixed sizes (APPNOTE.TXT sections 4.3.7, 4.3.12, 4.3.14-16).
constexpr std::uint32_t kLocalHeader = 0x04034b50, kCentralHeader = 0x02014b50, kEnd = 0x06054b50,
                        kZip64End = 0x06064b50, kZip64Locator = 0x07064b50;
constexpr std::size_t kLocalHeaderSize = 30, kCentralHeaderSize = 46, kEndSize = 22, kZip64EndSize = 56,
                      kZip64LocatorSize = 20, kMaxComment = 0xffff;
constexpr std::uint16_t kZip64ExtraId = 0x0001;
constexpr std::uint32_t kMax32 = 0xffffffff;

std::uint64_t le(std::string_view b, std::size_t at, int n) {
  std::uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

}  // namespace

bool looks_like_zip(std::string_view bytes) { return bytes.size() >= 4 && le(bytes, 0, 4) == kLocalHeader; }

std::uint32_t crc32(std::string_view bytes) {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t n = 0; n < 256; ++n) {
      std::uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xffffffffu;
  for (char ch : bytes) c = table[(c ^ static_cast<unsigned char>(ch)) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

template <typename... A>
void ZipArchive::fail(const A&... msg) const {
  detail::fail("zip archive '", what_, "': ", msg...);
}

ZipArchive::ZipArchive(std::string_view bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {
  const Directory dir = find_directory();
  if (dir.offset > bytes_.size() || dir.size > bytes_.size() - dir.offset)
    fail("the central directory (", dir.size, " bytes at ", dir.offset, ") runs past the end of the ", bytes_.size(),
         "-byte file");
  if (dir.count > dir.size / kCentralHeaderSize)
    fail(dir.count, " entries cannot fit in a ", dir.size, "-byte directory");
  std::size_t at = dir.offset;
  const std::size_t end = dir.offset + dir.size;
  for (std::uint64_t i = 0; i < dir.count; ++i) at = read_entry(at, end);
}

// The end-of-central-directory record is the last 22 bytes plus a comment of
// up to 64 KiB: search backwards for its signature. A zip64 locator right
// before it points at the zip64 record, whose 64-bit fields win.
ZipArchive::Directory ZipArchive::find_directory() const {
  if (bytes_.size() < kEndSize) fail("too short (", bytes_.size(), " bytes) for an end-of-central-directory record");
  const std::size_t lowest = bytes_.size() - kEndSize - std::min(bytes_.size() - kEndSize, kMaxComment);
  std::size_t at = bytes_.size() - kEndSize;
  while (le(bytes_, at, 4) != kEnd) {
    if (at == lowest) fail("no end-of-central-directory record (truncated, or not a zip file)");
    --at;
  }
  if (le(bytes_, at + 4, 2) != 0 || le(bytes_, at + 6, 2) != 0) fail("multi-disk archives are not supported");
  Directory d{le(bytes_, at + 10, 2), le(bytes_, at + 12, 4), le(bytes_, at + 16, 4)};
  if (at < kZip64LocatorSize || le(bytes_, at - kZip64LocatorSize, 4) != kZip64Locator) return d;
  const std::uint64_t rec = le(bytes_, at - kZip64LocatorSize + 8, 8);
  if (bytes_.size() < kZip64EndSize || rec > bytes_.size() - kZip64EndSize || le(bytes_, rec, 4) != kZip64End)
    fail("the zip64 locator points at no zip64 record");
  return {le(bytes_, rec + 32, 8), le(bytes_, rec + 40, 8), le(bytes_, rec + 48, 8)};
}

// One central-directory header at `at` (inside [at, end)); returns where the next begins.
std::size_t ZipArchive::read_entry(std::size_t at, std::size_t end) {
  if (end - at < kCentralHeaderSize || le(bytes_, at, 4) != kCentralHeader)
    fail("central directory entry ", names_.size(), " at byte ", at, " is malformed");
  const std::size_t name_len = le(bytes_, at + 28, 2), extra_len = le(bytes_, at + 30, 2),
                    comment_len = le(bytes_, at + 32, 2);
  const std::size_t next = at + kCentralHeaderSize + name_len + extra_len + comment_len;
  if (next > end) fail("central directory entry ", names_.size(), " runs past the directory");
  Entry e;
  e.flags = static_cast<std::uint16_t>(le(bytes_, at + 8, 2));
  e.method = static_cast<std::uint16_t>(le(bytes_, at + 10, 2));
  e.crc = static_cast<std::uint32_t>(le(bytes_, at + 16, 4));
  e.compressed_size = le(bytes_, at + 20, 4);
  e.size = le(bytes_, at + 24, 4);
  e.local_offset = le(bytes_, at + 42, 4);
  read_zip64_extra(bytes_.substr(at + kCentralHeaderSize + name_len, extra_len), e);
  std::string name(bytes_.substr(at + kCentralHeaderSize, name_len));
  if (!entries_.emplace(name, e).second) fail("entry '", name, "' appears twice");
  names_.push_back(std::move(name));
  return next;
}

// The zip64 extra field holds, in this order, the 64-bit forms of just those
// of (size, compressed size, local header offset) whose 32-bit field is 0xffffffff.
void ZipArchive::read_zip64_extra(std::string_view extra, Entry& e) const {
  for (std::size_t at = 0; at + 4 <= extra.size();) {
    const std::size_t id = le(extra, at, 2), len = le(extra, at + 2, 2);
    if (at + 4 + len > extra.size()) fail("an extra field of entry ", names_.size(), " runs past its header");
    if (id == kZip64ExtraId) {
      std::size_t p = at + 4;
      for (std::uint64_t* field : {&e.size, &e.compressed_size, &e.local_offset}) {
        if (*field != kMax32) continue;
        if (p + 8 > at + 4 + len) fail("the zip64 field of entry ", names_.size(), " is too short");
        *field = le(extra, p, 8);
        p += 8;
      }
    }
    at += 4 + len;
  }
}

std::string_view ZipArchive::read(const std::string& name) const {
  const auto it = entries_.find(name);
  if (it == entries_.end()) fail("no entry '", name, "'");
  const Entry& e = it->second;
  if (e.flags & 1) fail("entry '", name, "' is encrypted");
  if (e.method != 0)
    fail("entry '", name, "' is compressed (method ", e.method,
         "); only stored entries (method 0, as torch.save writes) are read");
  if (e.size != e.compressed_size) fail("entry '", name, "' is stored but its sizes differ");
  const std::uint64_t at = e.local_offset;
  if (at > bytes_.size() || bytes_.size() - at < kLocalHeaderSize || le(bytes_, at, 4) != kLocalHeader)
    fail("entry '", name, "': no local header at byte ", at);
  const std::uint64_t data = at + kLocalHeaderSize + le(bytes_, at + 26, 2) + le(bytes_, at + 28, 2);
  if (data > bytes_.size() || e.size > bytes_.size() - data)
    fail("entry '", name, "' (", e.size, " bytes at ", data, ") runs past the end of the ", bytes_.size(),
         "-byte file");
  const std::string_view out = bytes_.substr(data, e.size);
  if (crc32(out) != e.crc) fail("entry '", name, "' fails its CRC-32 check (corrupt)");
  return out;
}

}  // namespace advgrad::io
