#pragma once
// Reading files the parsers check before believing any of their bytes (model
// files, checkpoints, data sets). A path is read only when it names a regular
// file (after following symlinks): a directory, a device such as /dev/zero or
// /dev/urandom, a FIFO or a socket is refused by name before a byte is read, so
// nothing hangs and nothing grows without bound. The size comes from fstat, is
// checked against a limit before any allocation, and exactly that many bytes
// are read (a file that shrinks or grows meanwhile is an error).
//
// Errors are advgrad::Error "cannot read <kind> '<path>': <reason>", e.g.
// kind = "model file", reason = "it is a directory, not a file".
#include <cstdint>
#include <string>

namespace advgrad::io {

// The default limit of read_file: 4 GiB, above any model or data file advgrad
// reads (EfficientNet-Lite0 is 19 MB, Fashion-MNIST's largest file 47 MB).
inline constexpr std::uint64_t kMaxReadBytes = std::uint64_t{4} << 30;

// A regular file open for reading; closed by the destructor.
class InputFile {
 public:
  InputFile(const std::string& path, const std::string& kind);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  std::uint64_t size() const { return size_; }
  // Bytes [offset, offset + n), which must lie inside the file.
  std::string read(std::uint64_t offset, std::uint64_t n) const;
  // The whole file, when it is at most `max_bytes` long.
  std::string read_all(std::uint64_t max_bytes = kMaxReadBytes) const;
  // "cannot read <kind> '<path>': " + reason, as an advgrad::Error.
  [[noreturn]] void fail(const std::string& reason) const;

 private:
  std::string path_, kind_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

// The bytes of the regular file `path`, at most `max_bytes` of them.
std::string read_file(const std::string& path, const std::string& kind, std::uint64_t max_bytes = kMaxReadBytes);

// What a path that is not a regular file is, in a user's words: "a directory",
// "a character device", "a FIFO (named pipe)", "a socket", "a block device".
std::string file_type_name(unsigned mode);

}  // namespace advgrad::io
