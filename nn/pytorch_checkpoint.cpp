#include "advgrad/nn/pytorch_checkpoint.h"

#include "advgrad/io/pickle.h"
#include "advgrad/io/read_file.h"
#include "advgrad/io/zip_archive.h"
#include "advgrad/nn/pytorch_state_dict.h"

namespace advgrad::nn {
namespace {

using io::PickleValue;
using K = PickleValue::Kind;
using pytorch::StorageRef;
using pytorch::TensorRef;

// The legacy magic number 0x1950a86a20f9469cfc6c as LONG1 writes it (little-endian).
const std::string kLegacyMagic("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10);
constexpr std::int64_t kLegacyProtocol = 1001;

template <typename... A>
[[noreturn]] void fail(const std::string& what, const A&... msg) {
  detail::fail("PyTorch checkpoint '", what, "': ", msg...);
}

// Every storage the tensors use, by key; two tensors naming one key must agree on it.
std::map<std::string, StorageRef> storages_of(const std::vector<TensorRef>& tensors, const std::string& what) {
  std::map<std::string, StorageRef> out;
  for (const auto& t : tensors) {
    const auto [it, added] = out.emplace(t.storage.key, t.storage);
    if (!added && (it->second.type != t.storage.type || it->second.numel != t.storage.numel))
      fail(what, "storage '", t.storage.key, "' is described two different ways");
  }
  return out;
}

std::map<std::string, Tensor> gather_all(const std::vector<TensorRef>& tensors,
                                         const std::map<std::string, std::string_view>& storage_bytes,
                                         const std::string& what) {
  std::map<std::string, Tensor> out;
  for (const auto& t : tensors) out[t.name] = pytorch::gather_tensor(t, storage_bytes.at(t.storage.key), what);
  return out;
}

// ---- the zip format ----

// The one entry "<prefix>/data.pkl"; returns "<prefix>/".
std::string zip_prefix(const io::ZipArchive& zip, const std::string& what) {
  std::string prefix;
  int found = 0;
  for (const auto& name : zip.names()) {
    const std::string tail = "data.pkl";
    const bool match = name.size() >= tail.size() && name.compare(name.size() - tail.size(), tail.size(), tail) == 0 &&
                       (name.size() == tail.size() || name[name.size() - tail.size() - 1] == '/');
    if (match) ++found, prefix = name.substr(0, name.size() - tail.size());
  }
  if (found != 1) fail(what, "a zip checkpoint holds one <prefix>/data.pkl; this one holds ", found);
  return prefix;
}

std::map<std::string, Tensor> parse_zip(const std::string& bytes, const std::string& what) {
  const io::ZipArchive zip(bytes, what);
  const std::string prefix = zip_prefix(zip, what);
  if (zip.contains(prefix + "byteorder") && zip.read(prefix + "byteorder") != "little")
    fail(what, "storages are not little-endian");
  const io::Unpickled pickle = io::unpickle(zip.read(prefix + "data.pkl"), 0, pytorch::allowed_globals(), what);
  const std::vector<TensorRef> tensors = pytorch::read_state_dict(*pickle.value, what);
  std::map<std::string, std::string_view> storage_bytes;
  for (const auto& [key, storage] : storages_of(tensors, what)) {
    if (key.find('/') != std::string::npos || key.find("..") != std::string::npos)
      fail(what, "bad storage key '", key, "'");
    if (!zip.contains(prefix + "data/" + key)) fail(what, "storage '", key, "' has no entry ", prefix, "data/", key);
    storage_bytes[key] = zip.read(prefix + "data/" + key);
  }
  return gather_all(tensors, storage_bytes, what);
}

// ---- the legacy format ----

// The three header pickles: magic number, protocol version, sys info.
std::size_t read_legacy_header(const std::string& bytes, const std::string& what) {
  const std::set<std::string> none;
  io::Unpickled magic;
  try {
    magic = io::unpickle(bytes, 0, none, what);
  } catch (const Error&) {
    magic.value = nullptr;
  }
  if (!magic.value || !magic.value->is(K::BigInt) || magic.value->text != kLegacyMagic)
    fail(what, "not a PyTorch checkpoint (neither a zip archive nor the legacy magic number)");
  const io::Unpickled protocol = io::unpickle(bytes, magic.end, none, what);
  if (!protocol.value->is(K::Int) || protocol.value->integer != kLegacyProtocol)
    fail(what, "legacy protocol version is ", describe(*protocol.value), ", expected ", kLegacyProtocol);
  const io::Unpickled sys_info = io::unpickle(bytes, protocol.end, none, what);
  if (!sys_info.value->is(K::Dict)) fail(what, "legacy sys info is ", describe(*sys_info.value), ", not a dict");
  for (const auto& [key, value] : sys_info.value->entries)
    if (key->is(K::String) && key->text == "little_endian" && !(value->is(K::Bool) && value->integer))
      fail(what, "storages are not little-endian");
  return sys_info.end;
}

// The list of storage keys, then each storage in that order: an int64 element
// count (which must match the persistent id's) and the elements.
std::map<std::string, std::string_view> read_legacy_storages(const std::string& bytes, std::size_t at,
                                                             const std::map<std::string, StorageRef>& storages,
                                                             const std::string& what) {
  const io::Unpickled keys = io::unpickle(bytes, at, {}, what);
  if (!keys.value->is(K::List)) fail(what, "the storage key list is ", describe(*keys.value), ", not a list");
  std::map<std::string, std::string_view> out;
  at = keys.end;
  for (const auto& key : keys.value->items) {
    const auto it = key->is(K::String) ? storages.find(key->text) : storages.end();
    if (it == storages.end()) fail(what, "storage key list names ", describe(*key), ", which no tensor uses");
    if (bytes.size() - at < 8) fail(what, "truncated before storage '", key->text, "'");
    std::uint64_t count = 0;
    for (int i = 7; i >= 0; --i) count = (count << 8) | static_cast<unsigned char>(bytes[at + i]);
    if (count != it->second.numel)
      fail(what, "storage '", key->text, "' holds ", count, " elements; its tensors say ", it->second.numel);
    const std::size_t size = pytorch::element_size(it->second.type);
    if (count > (bytes.size() - at - 8) / size) fail(what, "truncated inside storage '", key->text, "'");
    if (!out.emplace(key->text, std::string_view(bytes).substr(at + 8, count * size)).second)
      fail(what, "storage '", key->text, "' is listed twice");
    at += 8 + count * size;
  }
  if (out.size() != storages.size())
    fail(what, storages.size() - out.size(), " storages are missing from the key list");
  if (at != bytes.size()) fail(what, bytes.size() - at, " trailing bytes after the last storage");
  return out;
}

std::map<std::string, Tensor> parse_legacy(const std::string& bytes, const std::string& what) {
  const std::size_t at = read_legacy_header(bytes, what);
  const io::Unpickled pickle = io::unpickle(bytes, at, pytorch::allowed_globals(), what);
  const std::vector<TensorRef> tensors = pytorch::read_state_dict(*pickle.value, what);
  return gather_all(tensors, read_legacy_storages(bytes, pickle.end, storages_of(tensors, what), what), what);
}

}  // namespace

std::map<std::string, Tensor> parse_pytorch_checkpoint(const std::string& bytes, const std::string& what) {
  return io::looks_like_zip(bytes) ? parse_zip(bytes, what) : parse_legacy(bytes, what);
}

std::map<std::string, Tensor> load_pytorch_checkpoint(const std::string& path) {
  return parse_pytorch_checkpoint(io::read_file(path, "PyTorch checkpoint"), path);
}

}  // namespace advgrad::nn
