#include "advgrad/nn/pytorch_state_dict.h"

#include <algorithm>

namespace advgrad::nn::pytorch {
namespace {

using io::PickleValue;
using K = PickleValue::Kind;

const std::string kRebuildTensor = "torch._utils._rebuild_tensor_v2";
const std::string kRebuildParameter = "torch._utils._rebuild_parameter";
constexpr std::size_t kMaxDims = 8;  // as nn/safetensors.cpp reads

template <typename... A>
[[noreturn]] void fail(const std::string& what, const A&... msg) {
  detail::fail("PyTorch checkpoint '", what, "': ", msg...);
}

bool is_call_of(const PickleValue& v, const std::string& callee) {
  return v.is(K::Call) && v.items[0]->is_global(callee);
}
bool is_tensor(const PickleValue& v) { return is_call_of(v, kRebuildTensor) || is_call_of(v, kRebuildParameter); }
bool holds_tensors(const PickleValue& dict) {
  return std::any_of(dict.entries.begin(), dict.entries.end(), [](const auto& e) { return is_tensor(*e.second); });
}

// The root itself when it holds tensors (or is empty); else its one
// "state_dict" or "model" entry that does.
const PickleValue& find_state_dict(const PickleValue& root, const std::string& what) {
  if (!root.is(K::Dict)) fail(what, "the pickle holds ", describe(root), ", not a dict of tensors");
  if (root.entries.empty() || holds_tensors(root)) return root;
  const PickleValue* found = nullptr;
  for (const auto& [key, value] : root.entries) {
    if (!value->is(K::Dict) || !holds_tensors(*value)) continue;
    const bool named = key->is(K::String) && (key->text == "state_dict" || key->text == "model");
    if (!named || found)
      fail(what, "tensors under ", describe(*key), " (only one entry named 'state_dict' or 'model' is unwrapped)");
    found = value.get();
  }
  if (!found) fail(what, "no tensors in the top-level dict, nor in an entry named 'state_dict' or 'model'");
  return *found;
}

std::int64_t as_int(const PickleValue& v, const std::string& what, const std::string& name, const char* field) {
  if (!v.is(K::Int)) fail(what, "tensor '", name, "': ", field, " is ", describe(v), ", not an int");
  return v.integer;
}

std::vector<std::int64_t> as_ints(const PickleValue& v, const std::string& what, const std::string& name,
                                  const char* field) {
  if (!v.is(K::Tuple) || v.items.size() > kMaxDims)
    fail(what, "tensor '", name, "': ", field, " is ", describe(v), ", not a tuple of at most ", kMaxDims, " ints");
  std::vector<std::int64_t> out;
  for (const auto& item : v.items) out.push_back(as_int(*item, what, name, field));
  return out;
}

const std::string& as_string(const PickleValue& v, const std::string& what, const std::string& name,
                             const char* field) {
  if (!v.is(K::String)) fail(what, "tensor '", name, "': ", field, " is ", describe(v), ", not a string");
  return v.text;
}

// ('storage', torch.<T>Storage, key, location, numel) — the legacy format adds
// a sixth item, view metadata, which torch writes as None.
StorageRef read_storage(const PickleValue& pid, const std::string& what, const std::string& name) {
  const PickleValue* t = pid.is(K::PersistentId) ? pid.items[0].get() : nullptr;
  if (!t || !t->is(K::Tuple) || t->items.size() < 5 || t->items.size() > 6 || !t->items[0]->is(K::String) ||
      t->items[0]->text != "storage" || !t->items[1]->is(K::Global))
    fail(what, "tensor '", name, "': its storage is not a ('storage', type, key, location, numel) persistent id");
  if (t->items.size() == 6 && !t->items[5]->is(K::None)) fail(what, "tensor '", name, "': storage views are not read");
  StorageRef s;
  s.type = storage_type_of(t->items[1]->text, what);
  s.key = as_string(*t->items[2], what, name, "storage key");
  as_string(*t->items[3], what, name, "storage location");  // "cpu", "cuda:0": everything loads to the CPU
  const std::int64_t numel = as_int(*t->items[4], what, name, "storage size");
  if (numel < 0) fail(what, "tensor '", name, "': negative storage size ", numel);
  s.numel = static_cast<std::uint64_t>(numel);
  return s;
}

// _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
// backward_hooks[, metadata]), perhaps inside _rebuild_parameter(tensor,
// requires_grad, backward_hooks).
TensorRef read_tensor(const std::string& name, const PickleValue& call, const std::string& what) {
  const PickleValue* c = &call;
  if (is_call_of(*c, kRebuildParameter)) {
    const auto& args = c->items[1]->items;
    if (args.size() != 3 || !is_call_of(*args[0], kRebuildTensor))
      fail(what, "tensor '", name, "': _rebuild_parameter does not wrap (_rebuild_tensor_v2, requires_grad, hooks)");
    c = args[0].get();
  }
  const auto& args = c->items[1]->items;
  if (args.size() != 6 && args.size() != 7)
    fail(what, "tensor '", name, "': _rebuild_tensor_v2 with ", args.size(), " arguments (expected 6 or 7)");
  if (!args[4]->is(K::Bool) || !args[5]->is(K::Dict))
    fail(what, "tensor '", name, "': requires_grad or backward_hooks malformed");
  TensorRef t;
  t.name = name;
  t.storage = read_storage(*args[0], what, name);
  t.offset = as_int(*args[1], what, name, "storage offset");
  t.size = as_ints(*args[2], what, name, "size");
  t.stride = as_ints(*args[3], what, name, "stride");
  return t;
}

}  // namespace

const std::set<std::string>& allowed_globals() {
  static const std::set<std::string> globals{"collections.OrderedDict", kRebuildTensor,        kRebuildParameter,
                                             "torch.FloatStorage",      "torch.DoubleStorage", "torch.HalfStorage",
                                             "torch.LongStorage"};
  return globals;
}

std::vector<TensorRef> read_state_dict(const io::PickleValue& root, const std::string& what) {
  const PickleValue& dict = find_state_dict(root, what);
  std::vector<TensorRef> out;
  std::set<std::string> seen;
  for (const auto& [key, value] : dict.entries) {
    if (!key->is(K::String)) fail(what, "a state-dict key is ", describe(*key), ", not a string");
    if (!is_tensor(*value)) fail(what, "state-dict entry '", key->text, "' is ", describe(*value), ", not a tensor");
    if (!seen.insert(key->text).second) fail(what, "state-dict entry '", key->text, "' appears twice");
    out.push_back(read_tensor(key->text, *value, what));
  }
  return out;
}

}  // namespace advgrad::nn::pytorch
