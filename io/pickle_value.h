#pragma once
// The values a restricted unpickler (io/pickle.h) builds: a small tree of
// Python-like objects that never runs any code. A call that the pickle asks for
// (REDUCE of an allowed global) is recorded, not made: the consumer reads the
// Call node and decides what it means.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace advgrad::io {

struct PickleValue;
using PickleRef = std::shared_ptr<PickleValue>;

struct PickleValue {
  enum class Kind { None, Bool, Int, BigInt, Float, String, Bytes, Tuple, List, Dict, Global, Call, PersistentId };
  Kind kind = Kind::None;
  std::int64_t integer = 0;  // Bool (0 or 1) and Int
  double real = 0;           // Float
  // String: UTF-8 text. Bytes: raw bytes. BigInt: a LONG1 integer too wide for
  // 64 bits, as its little-endian two's-complement bytes. Global: "module.name".
  std::string text;
  // Tuple and List: the elements. Call: {callee (a Global), arguments (a Tuple)}.
  // PersistentId: {the id the pickle gave}.
  std::vector<PickleRef> items;
  // Dict: the entries in insertion order. A key set twice is kept twice (the
  // consumer decides; Python would keep the last).
  std::vector<std::pair<PickleRef, PickleRef>> entries;
  PickleRef state;  // what BUILD set on a Dict or Call (e.g. an OrderedDict's _metadata); else null
  // Nesting depth (0 for a leaf), bounded by the unpickler. A value becomes
  // frozen when it is placed inside another; the unpickler never mutates a
  // frozen value, so the tree has no cycles and its depths stay exact.
  int depth = 0;
  bool frozen = false;

  bool is(Kind k) const { return kind == k; }
  bool is_global(const std::string& qualified_name) const { return kind == Kind::Global && text == qualified_name; }
};

// A short description for error messages: "int 5", "str '_fc.weight'", "tuple of 3", "call of torch.x.y".
std::string describe(const PickleValue& v);

}  // namespace advgrad::io
