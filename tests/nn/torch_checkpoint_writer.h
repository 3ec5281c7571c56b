#pragma once
// Test fixture: small PyTorch checkpoints written from C++ with the opcode
// sequences torch.save emits (protocol 2, as `pickletools.dis` shows for a
// file saved by torch 2.x and for the real EfficientNet-Lite0 legacy file):
//   OrderedDict() via GLOBAL + EMPTY_TUPLE + REDUCE, MARK ... SETITEMS, then
//   BUILD with {'_metadata': OrderedDict}; each tensor as
//   _rebuild_tensor_v2((BINPERSID ('storage', torch.<T>Storage, key, 'cpu',
//   numel[, None])), offset, size, stride, False, OrderedDict()).
// Both container formats: legacy (five pickles + raw storages) and zip.
// Checked once: torch.load(..., weights_only=True) of PyTorch 2.15 reads the
// mixed checkpoint of test_pytorch_checkpoint.cpp, in both formats, to the
// values that test expects.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "io/pickle_writer.h"
#include "io/zip_writer.h"

namespace advgrad::testing {

struct FakeStorage {
  std::string type;   // "FloatStorage", "HalfStorage", ...
  std::string bytes;  // raw little-endian elements
  std::uint64_t numel;
  std::uint64_t numel_in_file = ~0ull;  // legacy count before the data; ~0: numel
};

struct FakeTensor {
  std::string name, storage;
  std::int64_t offset = 0;
  std::vector<std::int64_t> size, stride;
  bool parameter = false;  // wrapped in torch._utils._rebuild_parameter
};

struct FakeCheckpoint {
  std::map<std::string, FakeStorage> storages;
  std::vector<FakeTensor> tensors;
  std::string wrapper_key;  // when set: {"epoch": 3, <key>: state_dict}
};

template <typename T>
std::string raw_bytes(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

class TorchPickler {
 public:
  explicit TorchPickler(bool legacy) : legacy_(legacy) {}

  std::string state_dict(const FakeCheckpoint& c) {
    w_.proto(2);
    if (!c.wrapper_key.empty()) w_.op(PickleWriter::kEmptyDict).op(PickleWriter::kMark).unicode("epoch").integer(3);
    if (!c.wrapper_key.empty()) w_.unicode(c.wrapper_key);
    ordered_dict();
    w_.op(PickleWriter::kMark);
    for (const auto& t : c.tensors) {
      w_.unicode(t.name);
      tensor(t, c.storages.at(t.storage));
    }
    w_.op(PickleWriter::kSetItems);
    metadata();
    if (!c.wrapper_key.empty()) w_.op(PickleWriter::kSetItems);
    w_.op(PickleWriter::kStop);
    return w_.bytes();
  }

 private:
  // A global, memoised on first use and fetched with BINGET after (as pickle does).
  void global(const std::string& module, const std::string& name) {
    const auto it = memo_.find(module + "." + name);
    if (it != memo_.end()) return void(w_.get(it->second));
    w_.global(module, name).put(next_);
    memo_[module + "." + name] = next_++;
  }
  void ordered_dict() {
    global("collections", "OrderedDict");
    w_.op(PickleWriter::kEmptyTuple).op(PickleWriter::kReduce);
  }
  void ints(const std::vector<std::int64_t>& v) {
    w_.op(PickleWriter::kMark);
    for (auto x : v) w_.integer(x);
    w_.op(PickleWriter::kTuple);
  }
  void tensor(const FakeTensor& t, const FakeStorage& s) {
    if (t.parameter) global("torch._utils", "_rebuild_parameter");
    global("torch._utils", "_rebuild_tensor_v2");
    w_.op(PickleWriter::kMark).op(PickleWriter::kMark).unicode("storage");
    global("torch", s.type);
    w_.unicode(t.storage).unicode("cpu").integer(static_cast<std::int64_t>(s.numel));
    if (legacy_) w_.op(PickleWriter::kNone);
    w_.op(PickleWriter::kTuple).op(PickleWriter::kBinPersId).integer(t.offset);
    ints(t.size);
    ints(t.stride);
    w_.op(PickleWriter::kNewFalse);
    ordered_dict();
    w_.op(PickleWriter::kTuple).op(PickleWriter::kReduce);
    if (!t.parameter) return;
    w_.op(PickleWriter::kNewTrue);
    ordered_dict();
    w_.op(PickleWriter::kTuple3).op(PickleWriter::kReduce);
  }
  // BUILD {'_metadata': OrderedDict({'': {'version': 1}})} on the state dict.
  void metadata() {
    w_.op(PickleWriter::kEmptyDict).unicode("_metadata");
    ordered_dict();
    w_.unicode("").op(PickleWriter::kEmptyDict).unicode("version").integer(1).op(PickleWriter::kSetItem);
    w_.op(PickleWriter::kSetItem).op(PickleWriter::kSetItem).op(PickleWriter::kBuild);
  }

  bool legacy_;
  PickleWriter w_;
  std::map<std::string, std::uint32_t> memo_;
  std::uint32_t next_ = 0;
};

// The three pickles before the state dict: magic number, protocol version, sys info.
inline std::string legacy_header() {
  using W = PickleWriter;
  std::string out =
      PickleWriter().proto(2).long1(std::string("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10)).op(W::kStop).bytes();
  out += PickleWriter().proto(2).integer(1001).op(W::kStop).bytes();
  out += PickleWriter()
             .proto(2)
             .op(W::kEmptyDict)
             .op(W::kMark)
             .unicode("protocol_version")
             .integer(1001)
             .unicode("little_endian")
             .op(W::kNewTrue)
             .unicode("type_sizes")
             .op(W::kEmptyDict)
             .op(W::kMark)
             .unicode("short")
             .integer(2)
             .unicode("int")
             .integer(4)
             .unicode("long")
             .integer(4)
             .op(W::kSetItems)
             .op(W::kSetItems)
             .op(W::kStop)
             .bytes();
  return out;
}

// The header, the state dict, the storage keys, then each storage: int64
// element count and the elements.
inline std::string legacy_checkpoint(const FakeCheckpoint& c) {
  using W = PickleWriter;
  std::string out = legacy_header() + TorchPickler(true).state_dict(c);
  PickleWriter keys;
  keys.proto(2).op(W::kEmptyList).op(W::kMark);
  for (const auto& [key, s] : c.storages) keys.unicode(key);
  out += keys.op(W::kAppends).op(W::kStop).bytes();
  for (const auto& [key, s] : c.storages)
    out += little_endian(s.numel_in_file == ~0ull ? s.numel : s.numel_in_file, 8) + s.bytes;
  return out;
}

inline std::string zip_checkpoint(const FakeCheckpoint& c) {
  std::vector<ZipEntry> entries{{"archive/data.pkl", TorchPickler(false).state_dict(c)},
                                {"archive/byteorder", "little"}};
  for (const auto& [key, s] : c.storages) entries.push_back({"archive/data/" + key, s.bytes});
  entries.push_back({"archive/version", "3\n"});
  return zip_file(entries);
}

}  // namespace advgrad::testing
