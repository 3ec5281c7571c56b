#pragma once
// A tiny pickle writer for tests: emits opcodes byte by byte, with the byte
// values of CPython's Lib/pickletools.py written out here (independently of
// io/pickle_opcodes.h), so the reader is checked against the format and not
// against itself.
#include <cstdint>
#include <string>

namespace advgrad::testing {

class PickleWriter {
 public:
  // One-byte opcodes.
  static constexpr char kMark = '(', kStop = '.', kNone = 'N', kNewTrue = '\x88', kNewFalse = '\x89', kEmptyTuple = ')',
                        kTuple = 't', kTuple1 = '\x85', kTuple2 = '\x86', kTuple3 = '\x87', kEmptyList = ']',
                        kAppend = 'a', kAppends = 'e', kEmptyDict = '}', kSetItem = 's', kSetItems = 'u', kReduce = 'R',
                        kBuild = 'b', kBinPersId = 'Q', kMemoize = '\x94', kStackGlobal = '\x93';

  PickleWriter& op(char c) {
    out_ += c;
    return *this;
  }
  PickleWriter& proto(int v) { return op('\x80').op(static_cast<char>(v)); }
  // BININT1 / BININT2 / BININT, or LONG1 with 8 bytes, as CPython picks.
  PickleWriter& integer(std::int64_t v) {
    if (v >= 0 && v < 256) return op('K').le(static_cast<std::uint64_t>(v), 1);
    if (v >= 0 && v < 65536) return op('M').le(static_cast<std::uint64_t>(v), 2);
    if (v >= INT32_MIN && v <= INT32_MAX) return op('J').le(static_cast<std::uint32_t>(v), 4);
    return op('\x8a').op('\x08').le(static_cast<std::uint64_t>(v), 8);
  }
  PickleWriter& long1(const std::string& little_endian) {
    op('\x8a').op(static_cast<char>(little_endian.size()));
    out_ += little_endian;
    return *this;
  }
  PickleWriter& binfloat(double v) {
    std::uint64_t bits;
    static_assert(sizeof bits == sizeof v);
    __builtin_memcpy(&bits, &v, sizeof v);
    op('G');
    for (int i = 7; i >= 0; --i) op(static_cast<char>((bits >> (8 * i)) & 0xff));  // big-endian
    return *this;
  }
  PickleWriter& unicode(const std::string& s) { return op('X').le(s.size(), 4).raw(s); }
  PickleWriter& short_unicode(const std::string& s) { return op('\x8c').le(s.size(), 1).raw(s); }
  PickleWriter& short_bytes(const std::string& s) { return op('C').le(s.size(), 1).raw(s); }
  PickleWriter& global(const std::string& module, const std::string& name) {
    return op('c').raw(module + "\n" + name + "\n");
  }
  PickleWriter& put(std::uint32_t i) { return i < 256 ? op('q').le(i, 1) : op('r').le(i, 4); }
  PickleWriter& get(std::uint32_t i) { return i < 256 ? op('h').le(i, 1) : op('j').le(i, 4); }
  PickleWriter& frame(std::uint64_t n) { return op('\x95').le(n, 8); }
  PickleWriter& raw(const std::string& s) {
    out_ += s;
    return *this;
  }
  PickleWriter& le(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_ += static_cast<char>((v >> (8 * i)) & 0xff);
    return *this;
  }

  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
};

// n as `bytes` little-endian bytes.
inline std::string little_endian(std::uint64_t n, int bytes) {
  std::string s;
  for (int i = 0; i < bytes; ++i) s += static_cast<char>((n >> (8 * i)) & 0xff);
  return s;
}

}  // namespace advgrad::testing
