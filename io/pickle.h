#pragma once
// A restricted unpickler: Python pickle bytes -> a tree of PickleValue
// (io/pickle_value.h), without executing or importing anything.
//
// Python's pickle is a small stack machine whose opcodes may name any global
// (`os.system`, `builtins.eval`) and call it with arguments (REDUCE): loading
// an untrusted pickle in Python runs arbitrary code. This machine knows only
// the opcodes that data pickles (protocols 2-5) use for tuples, lists, dicts,
// numbers and strings, plus GLOBAL/STACK_GLOBAL, REDUCE, BUILD and BINPERSID,
// which it records instead of performing:
//   - GLOBAL pushes a Global value, and only for a name the caller allows;
//     any other name is an error naming it;
//   - REDUCE of a Global makes a Call node (callee, argument tuple); the one
//     call with a meaning here is `collections.OrderedDict()` (when allowed),
//     which makes an empty Dict;
//   - BUILD attaches its state to a Dict or Call (PickleValue::state);
//   - BINPERSID makes a PersistentId node around the id.
// The data opcodes performed: PROTO FRAME STOP MARK NONE NEWTRUE NEWFALSE
// BININT BININT1 BININT2 LONG1 BINFLOAT BINUNICODE SHORT_BINUNICODE BINUNICODE8
// BINSTRING SHORT_BINSTRING (as text) BINBYTES SHORT_BINBYTES BINBYTES8
// EMPTY_TUPLE TUPLE TUPLE1 TUPLE2 TUPLE3 EMPTY_LIST APPEND APPENDS EMPTY_DICT
// SETITEM SETITEMS BINPUT LONG_BINPUT MEMOIZE BINGET LONG_BINGET. Every other
// opcode (INST, OBJ, NEWOBJ, EXT*, LONG4, sets, out-of-band buffers, the text
// opcodes of protocols 0-1, ...) is an error naming it. Opcode facts: CPython's
// Lib/pickletools.py.
//
// Hostile input: every length and count is checked against the bytes left
// before anything is allocated; memo indices, stack underflow and MARKs are
// checked; nesting is bounded (kMaxPickleDepth) and so is the number of
// values (kMaxPickleValues); truncation anywhere is an error. Errors are
// advgrad::Error naming `what`, the problem and the byte offset.
#include <cstddef>
#include <set>
#include <string>
#include <string_view>

#include "advgrad/core/error.h"
#include "advgrad/io/pickle_value.h"

namespace advgrad::io {

inline constexpr int kMaxPickleDepth = 100;
// About a million values (and memo entries): a state dict needs about 15 per
// tensor (EfficientNet-Lite0's 296 tensors make a few thousand), and the bound
// keeps a hostile file's tree to some 150 MB.
inline constexpr std::size_t kMaxPickleValues = std::size_t{1} << 20;

struct Unpickled {
  PickleRef value;      // what STOP returned
  std::size_t end = 0;  // the offset just past the STOP opcode
};

// Runs the pickle that starts at bytes[start]. `allowed_globals` lists the
// globals it may name, as "module.name" (e.g. "collections.OrderedDict").
Unpickled unpickle(std::string_view bytes, std::size_t start, const std::set<std::string>& allowed_globals,
                   const std::string& what);

}  // namespace advgrad::io
