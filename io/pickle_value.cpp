#include "advgrad/io/pickle_value.h"

namespace advgrad::io {

std::string describe(const PickleValue& v) {
  using K = PickleValue::Kind;
  switch (v.kind) {
    case K::None:
      return "None";
    case K::Bool:
      return v.integer ? "True" : "False";
    case K::Int:
      return "int " + std::to_string(v.integer);
    case K::BigInt:
      return "a " + std::to_string(v.text.size()) + "-byte int";
    case K::Float:
      return "float " + std::to_string(v.real);
    case K::String:
      return "str '" + v.text.substr(0, 60) + (v.text.size() > 60 ? "...'" : "'");
    case K::Bytes:
      return "bytes of length " + std::to_string(v.text.size());
    case K::Tuple:
      return "tuple of " + std::to_string(v.items.size());
    case K::List:
      return "list of " + std::to_string(v.items.size());
    case K::Dict:
      return "dict of " + std::to_string(v.entries.size());
    case K::Global:
      return "global " + v.text;
    case K::Call:
      return "call of " + (v.items.empty() ? std::string("?") : v.items[0]->text);
    case K::PersistentId:
      return "persistent id";
  }
  return "?";
}

}  // namespace advgrad::io
