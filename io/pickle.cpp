#include "advgrad/io/pickle.h"

#include <cstring>
#include <unordered_map>
#include <vector>

#include "advgrad/core/error.h"
#include "advgrad/io/pickle_opcodes.h"

namespace advgrad::io {
namespace {

using K = PickleValue::Kind;
constexpr std::size_t kMaxGlobalLine = 256;  // "module\n" and "name\n" of GLOBAL

// The stack machine. Each opcode handler reads its argument bytes, checks them
// and the stack, and pushes at most one new value.
class Machine {
 public:
  Machine(std::string_view bytes, std::size_t start, const std::set<std::string>& allowed, const std::string& what)
      : bytes_(bytes), pos_(start), allowed_(allowed), what_(what) {}

  Unpickled run() {
    while (true) {
      op_at_ = pos_;
      const unsigned char op = read_byte();
      if (op == kStop) return {pop(), pos_};
      if (!(scalar(op) || container(op) || memo(op) || object(op)))
        fail(opcode_name(op) ? "opcode " : "unknown opcode ", describe_opcode(op),
             opcode_name(op) ? " is not allowed (outside this restricted unpickler's subset)" : "");
    }
  }

 private:
  template <typename... A>
  [[noreturn]] void fail(const A&... msg) const {
    detail::fail("pickle '", what_, "': ", msg..., " (at byte ", op_at_, ")");
  }

  // ---- reading the opcode's argument bytes ----
  std::string_view take(std::uint64_t n) {
    if (n > bytes_.size() - pos_)
      fail("truncated: ", describe_opcode(bytes_[op_at_]), " needs ", n, " more bytes, ", bytes_.size() - pos_,
           " left");
    std::string_view s = bytes_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  unsigned char read_byte() {
    if (pos_ >= bytes_.size()) fail("truncated: the pickle ends before its STOP opcode");
    return static_cast<unsigned char>(bytes_[pos_++]);
  }
  std::uint64_t read_le(int n) {
    const std::string_view s = take(n);
    std::uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[i]);
    return v;
  }
  std::string_view read_line() {
    const std::size_t len = bytes_.substr(pos_, kMaxGlobalLine + 1).find('\n');
    if (len == std::string_view::npos) fail("GLOBAL name is unterminated or too long");
    const std::string_view line = bytes_.substr(pos_, len);
    pos_ += len + 1;
    return line;
  }

  // ---- values and the stack ----
  PickleRef make(K kind) {
    if (++made_ > kMaxPickleValues) fail("more than ", kMaxPickleValues, " values");
    auto v = std::make_shared<PickleValue>();
    v->kind = kind;
    return v;
  }
  void push(PickleRef v) { stack_.push_back(std::move(v)); }
  PickleRef pop() {
    if (stack_.size() <= floor()) fail("stack underflow at ", describe_opcode(bytes_[op_at_]));
    PickleRef v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  std::size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
  std::vector<PickleRef> pop_to_mark() {
    if (marks_.empty()) fail(describe_opcode(bytes_[op_at_]), " without a MARK");
    std::vector<PickleRef> items(stack_.begin() + static_cast<std::ptrdiff_t>(marks_.back()), stack_.end());
    stack_.resize(marks_.back());
    marks_.pop_back();
    return items;
  }
  // `child` goes inside `parent`: it is frozen from now on, and the parent's
  // depth grows with it.
  void adopt(PickleValue& parent, const PickleRef& child) {
    if (child.get() == &parent) fail("a value placed inside itself");
    child->frozen = true;
    parent.depth = std::max(parent.depth, child->depth + 1);
    if (parent.depth > kMaxPickleDepth) fail("values nested deeper than ", kMaxPickleDepth);
  }
  PickleRef mutable_target(K kind, const char* op) {
    if (stack_.size() <= floor()) fail("stack underflow at ", op);
    PickleRef t = stack_.back();
    if (!t->is(kind)) fail(op, " on ", describe(*t));
    if (t->frozen) fail(op, " on a ", describe(*t), " that is already inside another value");
    return t;
  }

  // ---- opcode groups: each returns false for an opcode not its own ----
  bool scalar(unsigned char op);
  bool container(unsigned char op);
  bool memo(unsigned char op);
  bool object(unsigned char op);

  void push_int(std::int64_t v) {
    PickleRef x = make(K::Int);
    x->integer = v;
    push(std::move(x));
  }
  void push_text(K kind, std::string_view s) {
    PickleRef x = make(kind);
    x->text.assign(s);
    push(std::move(x));
  }
  void push_bool(bool b) {
    PickleRef x = make(K::Bool);
    x->integer = b;
    push(std::move(x));
  }
  void push_long1();
  void push_binfloat();
  void push_tuple(std::vector<PickleRef> items);
  void append(std::vector<PickleRef> items);
  void set_items(std::vector<PickleRef> items);
  void memo_put(std::uint64_t index);
  void memo_get(std::uint64_t index);
  void push_global(std::string module, std::string name);
  void stack_global();
  void reduce();
  void build();
  void persistent_id();

  std::string_view bytes_;
  std::size_t pos_, op_at_ = 0;
  const std::set<std::string>& allowed_;
  const std::string& what_;
  std::vector<PickleRef> stack_;
  std::vector<std::size_t> marks_;
  std::unordered_map<std::uint64_t, PickleRef> memo_;
  std::size_t made_ = 0;
};

bool Machine::scalar(unsigned char op) {
  switch (op) {
    case kProto: {
      const int protocol = read_byte();
      if (protocol > 5) fail("pickle protocol ", protocol, " is newer than 5");
      return true;
    }
    case kFrame:  // a framing hint (protocol 4): the framed opcodes follow inline
      if (read_le(8) > bytes_.size() - pos_) fail("truncated: a FRAME runs past the end");
      return true;
    case kNone:
      push(make(K::None));
      return true;
    case kNewTrue:
      push_bool(true);
      return true;
    case kNewFalse:
      push_bool(false);
      return true;
    case kBinInt:
      push_int(static_cast<std::int32_t>(read_le(4)));
      return true;
    case kBinInt1:
      push_int(static_cast<std::int64_t>(read_le(1)));
      return true;
    case kBinInt2:
      push_int(static_cast<std::int64_t>(read_le(2)));
      return true;
    case kLong1:
      push_long1();
      return true;
    case kBinFloat:
      push_binfloat();
      return true;
    case kShortBinUnicode:
      push_text(K::String, take(read_le(1)));
      return true;
    case kBinUnicode:
      push_text(K::String, take(read_le(4)));
      return true;
    case kBinUnicode8:
      push_text(K::String, take(read_le(8)));
      return true;
    case kShortBinString:
      push_text(K::String, take(read_le(1)));
      return true;  // Python 2 str, read as text
    case kBinString:
      push_text(K::String, take(read_le(4)));
      return true;
    case kShortBinBytes:
      push_text(K::Bytes, take(read_le(1)));
      return true;
    case kBinBytes:
      push_text(K::Bytes, take(read_le(4)));
      return true;
    case kBinBytes8:
      push_text(K::Bytes, take(read_le(8)));
      return true;
    default:
      return false;
  }
}

bool Machine::container(unsigned char op) {
  switch (op) {
    case kMark:
      marks_.push_back(stack_.size());
      return true;
    case kEmptyTuple:
      push_tuple({});
      return true;
    case kTuple:
      push_tuple(pop_to_mark());
      return true;
    case kTuple1:
      push_tuple({pop()});
      return true;
    case kTuple2: {
      PickleRef b = pop(), a = pop();
      push_tuple({a, b});
      return true;
    }
    case kTuple3: {
      PickleRef c = pop(), b = pop(), a = pop();
      push_tuple({a, b, c});
      return true;
    }
    case kEmptyList:
      push(make(K::List));
      return true;
    case kAppend:
      append({pop()});
      return true;
    case kAppends:
      append(pop_to_mark());
      return true;
    case kEmptyDict:
      push(make(K::Dict));
      return true;
    case kSetItem: {
      PickleRef v = pop(), k = pop();
      set_items({k, v});
      return true;
    }
    case kSetItems:
      set_items(pop_to_mark());
      return true;
    default:
      return false;
  }
}

bool Machine::memo(unsigned char op) {
  switch (op) {
    case kBinPut:
      memo_put(read_le(1));
      return true;
    case kLongBinPut:
      memo_put(read_le(4));
      return true;
    case kMemoize:
      memo_put(memo_.size());
      return true;
    case kBinGet:
      memo_get(read_le(1));
      return true;
    case kLongBinGet:
      memo_get(read_le(4));
      return true;
    default:
      return false;
  }
}

bool Machine::object(unsigned char op) {
  switch (op) {
    case kGlobal: {
      std::string module(read_line()), name(read_line());
      push_global(std::move(module), std::move(name));
      return true;
    }
    case kStackGlobal:
      stack_global();
      return true;
    case kReduce:
      reduce();
      return true;
    case kBuild:
      build();
      return true;
    case kBinPersId:
      persistent_id();
      return true;
    default:
      return false;
  }
}

void Machine::push_long1() {
  const std::string_view b = take(read_le(1));
  if (b.size() > 8) return push_text(K::BigInt, b);
  std::uint64_t v = 0;
  for (std::size_t i = b.size(); i-- > 0;) v = (v << 8) | static_cast<unsigned char>(b[i]);
  if (!b.empty() && b.size() < 8 && (static_cast<unsigned char>(b.back()) & 0x80))
    v |= ~std::uint64_t{0} << (8 * b.size());  // sign-extend the two's-complement bytes
  push_int(static_cast<std::int64_t>(v));
}

void Machine::push_binfloat() {
  const std::string_view b = take(8);  // big-endian IEEE 754 double
  std::uint64_t bits = 0;
  for (char c : b) bits = (bits << 8) | static_cast<unsigned char>(c);
  PickleRef x = make(K::Float);
  std::memcpy(&x->real, &bits, sizeof bits);
  push(std::move(x));
}

void Machine::push_tuple(std::vector<PickleRef> items) {
  PickleRef t = make(K::Tuple);
  for (const auto& item : items) adopt(*t, item);
  t->items = std::move(items);
  push(std::move(t));
}

void Machine::append(std::vector<PickleRef> items) {
  PickleRef list = mutable_target(K::List, "APPEND");
  for (const auto& item : items) adopt(*list, item);
  list->items.insert(list->items.end(), items.begin(), items.end());
}

void Machine::set_items(std::vector<PickleRef> items) {
  if (items.size() % 2) fail("SETITEMS with an odd number of keys and values");
  PickleRef dict = mutable_target(K::Dict, "SETITEM");
  for (std::size_t i = 0; i < items.size(); i += 2) {
    adopt(*dict, items[i]);
    adopt(*dict, items[i + 1]);
    dict->entries.emplace_back(items[i], items[i + 1]);
  }
}

void Machine::memo_put(std::uint64_t index) {
  if (stack_.size() <= floor()) fail("stack underflow at ", describe_opcode(bytes_[op_at_]));
  if (memo_.size() >= kMaxPickleValues && !memo_.count(index)) fail("more than ", kMaxPickleValues, " memo entries");
  memo_[index] = stack_.back();
}

void Machine::memo_get(std::uint64_t index) {
  auto it = memo_.find(index);
  if (it == memo_.end()) fail("memo index ", index, " was never stored");
  push(it->second);
}

void Machine::push_global(std::string module, std::string name) {
  const std::string qualified = module + "." + name;
  if (!allowed_.count(qualified)) fail("global '", qualified, "' is not allowed (nothing is imported or run)");
  push_text(K::Global, qualified);
}

void Machine::stack_global() {
  PickleRef name = pop(), module = pop();
  if (!module->is(K::String) || !name->is(K::String)) fail("STACK_GLOBAL needs two strings");
  push_global(module->text, name->text);
}

void Machine::reduce() {
  PickleRef args = pop(), callee = pop();
  if (!callee->is(K::Global)) fail("REDUCE of ", describe(*callee), " (only an allowed global can be called)");
  if (!args->is(K::Tuple)) fail("REDUCE with ", describe(*args), " for arguments (expected a tuple)");
  if (callee->is_global("collections.OrderedDict")) {
    if (!args->items.empty()) fail("collections.OrderedDict called with arguments");
    return push(make(K::Dict));
  }
  PickleRef call = make(K::Call);
  adopt(*call, callee);
  adopt(*call, args);
  call->items = {callee, args};
  push(std::move(call));
}

void Machine::build() {
  PickleRef state = pop();
  if (stack_.size() <= floor()) fail("stack underflow at BUILD");
  const PickleRef& target = stack_.back();
  if (!target->is(K::Dict) && !target->is(K::Call)) fail("BUILD on ", describe(*target));
  if (target->frozen || target->state) fail("BUILD on a value that is already complete");
  adopt(*target, state);
  target->state = state;
}

void Machine::persistent_id() {
  PickleRef id = pop();
  PickleRef p = make(K::PersistentId);
  adopt(*p, id);
  p->items = {id};
  push(std::move(p));
}

}  // namespace

Unpickled unpickle(std::string_view bytes, std::size_t start, const std::set<std::string>& allowed_globals,
                   const std::string& what) {
  if (start > bytes.size()) detail::fail("pickle '", what, "': starts at byte ", start, " past the end");
  return Machine(bytes, start, allowed_globals, what).run();
}

}  // namespace advgrad::io
