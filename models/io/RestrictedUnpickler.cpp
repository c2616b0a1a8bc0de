#include "core/text/Printable.h"
#include "models/io/RestrictedUnpickler.h"

#include <array>
#include <bit>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <unordered_map>

namespace neurolm::pickle {

namespace {

constexpr std::array<std::string_view, 10> kStorageTypes = {
    "FloatStorage", "DoubleStorage", "HalfStorage", "BFloat16Storage", "LongStorage",
    "IntStorage",   "ShortStorage",  "CharStorage", "ByteStorage",     "BoolStorage"};

constexpr std::string_view kOrderedDict = "collections.OrderedDict";
constexpr std::string_view kRebuildTensorV2 = "torch._utils._rebuild_tensor_v2";
constexpr std::string_view kRebuildParameter = "torch._utils._rebuild_parameter";
constexpr std::string_view kRebuildParameterWithState = "torch._utils._rebuild_parameter_with_state";

// Opcodes (names as in CPython's pickletools).
enum Op : std::uint8_t {
  MARK = '(',
  STOP = '.',
  POP = '0',
  POP_MARK = '1',
  DUP = '2',
  BINFLOAT = 'G',
  BININT = 'J',
  BININT1 = 'K',
  BININT2 = 'M',
  NONE = 'N',
  BINPERSID = 'Q',
  REDUCE = 'R',
  BINSTRING = 'T',
  SHORT_BINSTRING = 'U',
  BINUNICODE = 'X',
  APPEND = 'a',
  BUILD = 'b',
  GLOBAL = 'c',
  DICT = 'd',
  EMPTY_DICT = '}',
  APPENDS = 'e',
  BINGET = 'h',
  LONG_BINGET = 'j',
  LIST = 'l',
  EMPTY_LIST = ']',
  BINPUT = 'q',
  LONG_BINPUT = 'r',
  SETITEM = 's',
  TUPLE = 't',
  EMPTY_TUPLE = ')',
  SETITEMS = 'u',
  PROTO = 0x80,
  TUPLE1 = 0x85,
  TUPLE2 = 0x86,
  TUPLE3 = 0x87,
  NEWTRUE = 0x88,
  NEWFALSE = 0x89,
  LONG1 = 0x8a,
  LONG4 = 0x8b,
  BINBYTES = 'B',
  SHORT_BINBYTES = 'C',
  SHORT_BINUNICODE = 0x8c,
  BINUNICODE8 = 0x8d,
  BINBYTES8 = 0x8e,
  STACK_GLOBAL = 0x93,
  MEMOIZE = 0x94,
  FRAME = 0x95,
};

std::string printable(std::string_view text) { return escapeControlBytes(text); }

}  // namespace

const char* kindName(Kind kind) {
  switch (kind) {
    case Kind::None:
      return "None";
    case Kind::Bool:
      return "bool";
    case Kind::Int:
      return "int";
    case Kind::Float:
      return "float";
    case Kind::String:
      return "str";
    case Kind::Bytes:
      return "bytes";
    case Kind::Tuple:
      return "tuple";
    case Kind::List:
      return "list";
    case Kind::Dict:
      return "dict";
    case Kind::Global:
      return "global";
    case Kind::Storage:
      return "storage";
    case Kind::Tensor:
      return "tensor";
  }
  return "?";
}

bool isAllowedGlobal(std::string_view name) {
  if (name == kOrderedDict || name == kRebuildTensorV2 || name == kRebuildParameter ||
      name == kRebuildParameterWithState) {
    return true;
  }
  constexpr std::string_view torchPrefix = "torch.";
  if (name.starts_with(torchPrefix)) {
    const std::string_view rest = name.substr(torchPrefix.size());
    for (const auto t : kStorageTypes) {
      if (rest == t) return true;
    }
  }
  return false;
}

const Object* Document::find(const Object& dict, std::string_view key) const {
  if (dict.kind != Kind::Dict) return nullptr;
  for (std::size_t i = 0; i + 1 < dict.items.size(); i += 2) {
    const Object& k = objects_.at(dict.items[i]);
    if (k.kind == Kind::String && k.text == key) return &objects_.at(dict.items[i + 1]);
  }
  return nullptr;
}

class Unpickler {
 public:
  Unpickler(std::span<const std::uint8_t> bytes, const std::string& where) : bytes_(bytes), where_(where) {}

  Document run() {
    while (true) {
      opStart_ = pos_;
      const std::uint8_t op = readU8();
      if (op == STOP) break;
      step(op);
    }
    if (stack_.empty()) fail("STOP with an empty stack");
    if (!marks_.empty()) fail("STOP inside an unclosed MARK");
    doc_.root_ = stack_.back();
    return std::move(doc_);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(where_ + ": pickle byte " + std::to_string(opStart_) + ": " + what);
  }

  // ---- raw reads
  // -------------------------------------------------------------------------------------------
  void need(std::size_t n) const {
    if (n > bytes_.size() - pos_) fail("truncated pickle (needs " + std::to_string(n) + " more bytes)");
  }
  std::uint8_t readU8() {
    need(1);
    return bytes_[pos_++];
  }
  std::uint64_t readLittle(std::size_t n) {
    need(n);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(bytes_[pos_ + i]) << (8 * i);
    pos_ += n;
    return v;
  }
  std::string readString(std::uint64_t n) {
    if (n > bytes_.size() - pos_) fail("truncated pickle (string of " + std::to_string(n) + " bytes)");
    std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), static_cast<std::size_t>(n));
    pos_ += static_cast<std::size_t>(n);
    return s;
  }
  std::string readLine() {
    const std::size_t start = pos_;
    while (pos_ < bytes_.size() && bytes_[pos_] != '\n') ++pos_;
    if (pos_ >= bytes_.size()) fail("truncated pickle (unterminated GLOBAL name)");
    std::string s(reinterpret_cast<const char*>(bytes_.data() + start), pos_ - start);
    ++pos_;  // the newline
    return s;
  }
  std::int64_t readSignedLittle(std::size_t n) {
    if (n == 0) return 0;
    if (n > 8) fail("integer of " + std::to_string(n) + " bytes does not fit 64 bits");
    std::uint64_t v = readLittle(n);
    if (n < 8 && (v >> (8 * n - 1)) & 1u) v |= ~std::uint64_t{0} << (8 * n);  // sign-extend
    return static_cast<std::int64_t>(v);
  }

  // ---- objects and stack
  // -----------------------------------------------------------------------------------
  ObjectId make(Object obj) {
    if (doc_.objects_.size() >= std::numeric_limits<ObjectId>::max()) fail("too many objects");
    doc_.objects_.push_back(std::move(obj));
    return static_cast<ObjectId>(doc_.objects_.size() - 1);
  }
  ObjectId makeKind(Kind k) {
    Object o;
    o.kind = k;
    return make(std::move(o));
  }
  Object& obj(ObjectId id) { return doc_.objects_[id]; }
  void push(ObjectId id) { stack_.push_back(id); }
  ObjectId pop() {
    if (stack_.size() <= currentMarkBase()) fail("stack underflow");
    const ObjectId id = stack_.back();
    stack_.pop_back();
    return id;
  }
  ObjectId top() {
    if (stack_.size() <= currentMarkBase()) fail("stack underflow");
    return stack_.back();
  }
  std::size_t currentMarkBase() const { return marks_.empty() ? 0 : marks_.back(); }
  // Pops everything above the last MARK (and the mark itself); returns the items in order.
  std::vector<ObjectId> popToMark() {
    if (marks_.empty()) fail("no MARK on the stack");
    const std::size_t base = marks_.back();
    marks_.pop_back();
    std::vector<ObjectId> items(stack_.begin() + static_cast<std::ptrdiff_t>(base), stack_.end());
    stack_.resize(base);
    return items;
  }
  void memoPut(std::uint64_t index) { memo_[index] = top(); }
  void memoGet(std::uint64_t index) {
    const auto it = memo_.find(index);
    if (it == memo_.end()) fail("memo index " + std::to_string(index) + " was never stored");
    push(it->second);
  }

  ObjectId makeTuple(std::vector<ObjectId> items) {
    Object o;
    o.kind = Kind::Tuple;
    o.items = std::move(items);
    return make(std::move(o));
  }

  void appendTo(ObjectId target, const std::vector<ObjectId>& values) {
    Object& list = obj(target);
    if (list.kind != Kind::List) fail(std::string("APPEND to a ") + kindName(list.kind) + ", not a list");
    list.items.insert(list.items.end(), values.begin(), values.end());
  }
  void setItems(ObjectId target, const std::vector<ObjectId>& keyValues) {
    if (keyValues.size() % 2 != 0) fail("SETITEMS with an odd number of items");
    Object& dict = obj(target);
    if (dict.kind != Kind::Dict) fail(std::string("SETITEM on a ") + kindName(dict.kind) + ", not a dict");
    for (std::size_t i = 0; i < keyValues.size(); i += 2) {
      const Object& key = doc_.objects_[keyValues[i]];
      if (key.kind != Kind::String && key.kind != Kind::Int && key.kind != Kind::Bool &&
          key.kind != Kind::None && key.kind != Kind::Float && key.kind != Kind::Bytes &&
          key.kind != Kind::Tuple) {
        fail(std::string("dict key of kind ") + kindName(key.kind));
      }
      // Appended as found: torch.save never repeats a key; the checkpoint reader rejects repeated tensor
      // names.
      dict.items.push_back(keyValues[i]);
      dict.items.push_back(keyValues[i + 1]);
    }
  }
  void global(std::string module, std::string name) {
    std::string qualified = module + "." + name;
    if (!isAllowedGlobal(qualified)) {
      fail("refusing global '" + printable(qualified) +
           "': not on the allow-list of a checkpoint reader (tensors, dicts and storages only; nothing is "
           "executed)");
    }
    Object o;
    o.kind = Kind::Global;
    o.text = std::move(qualified);
    push(make(std::move(o)));
  }

  void persistentId() {
    const ObjectId pidId = pop();
    const Object& pid = obj(pidId);
    if (pid.kind != Kind::Tuple || pid.items.size() != 5)
      fail("persistent id is not a 5-tuple ('storage', ...)");
    const Object& tag = obj(pid.items[0]);
    const Object& type = obj(pid.items[1]);
    const Object& key = obj(pid.items[2]);
    const Object& location = obj(pid.items[3]);
    const Object& numel = obj(pid.items[4]);
    if (tag.kind != Kind::String || tag.text != "storage")
      fail("persistent id does not start with 'storage'");
    if (type.kind != Kind::Global || !type.text.starts_with("torch.") || !type.text.ends_with("Storage")) {
      fail("persistent id names no torch storage type");
    }
    if (key.kind != Kind::String || location.kind != Kind::String || numel.kind != Kind::Int) {
      fail("persistent id has the wrong field types (expected str key, str location, int numel)");
    }
    if (numel.intValue < 0) fail("storage with negative size " + std::to_string(numel.intValue));
    Object o;
    o.kind = Kind::Storage;
    o.storage.storageType = type.text.substr(std::string_view("torch.").size());
    o.storage.key = key.text;
    o.storage.location = location.text;
    o.storage.numel = numel.intValue;
    push(make(std::move(o)));
  }

  std::vector<std::int64_t> intTuple(ObjectId id, const char* what) {
    const Object& t = obj(id);
    if (t.kind != Kind::Tuple) fail(std::string(what) + " is a " + kindName(t.kind) + ", not a tuple");
    std::vector<std::int64_t> v;
    v.reserve(t.items.size());
    for (const ObjectId e : t.items) {
      const Object& x = obj(e);
      if (x.kind != Kind::Int) fail(std::string(what) + " holds a " + kindName(x.kind) + ", not an int");
      v.push_back(x.intValue);
    }
    return v;
  }

  void reduce() {
    const ObjectId argsId = pop();
    const ObjectId callableId = pop();
    if (obj(callableId).kind != Kind::Global)
      fail(std::string("REDUCE on a ") + kindName(obj(callableId).kind));
    if (obj(argsId).kind != Kind::Tuple) fail("REDUCE arguments are not a tuple");
    // Copies, not references: make() below may grow the arena.
    const std::string name = obj(callableId).text;
    const std::vector<ObjectId> args = obj(argsId).items;
    if (name == kOrderedDict) {
      if (!args.empty()) fail("OrderedDict(...) with arguments is not supported");
      push(makeKind(Kind::Dict));
    } else if (name == kRebuildTensorV2) {
      // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
      if (args.size() < 6 || args.size() > 7) fail("_rebuild_tensor_v2 expects 6 or 7 arguments");
      const std::vector<ObjectId>& a = args;
      if (obj(a[0]).kind != Kind::Storage) fail("_rebuild_tensor_v2: first argument is not a storage");
      if (obj(a[1]).kind != Kind::Int) fail("_rebuild_tensor_v2: storage offset is not an int");
      if (obj(a[4]).kind != Kind::Bool) fail("_rebuild_tensor_v2: requires_grad is not a bool");
      Object t;
      t.kind = Kind::Tensor;
      t.tensor.storage = a[0];
      t.tensor.storageOffset = obj(a[1]).intValue;
      t.tensor.sizes = intTuple(a[2], "tensor size");
      t.tensor.strides = intTuple(a[3], "tensor stride");
      t.tensor.requiresGrad = obj(a[4]).boolValue;
      if (t.tensor.sizes.size() != t.tensor.strides.size()) fail("tensor size and stride differ in length");
      push(make(std::move(t)));
    } else if (name == kRebuildParameter || name == kRebuildParameterWithState) {
      // (data, requires_grad, backward_hooks[, state])
      if (args.size() < 3 || args.size() > 4) fail(name + " expects 3 or 4 arguments");
      const Object& data = obj(args[0]);
      const Object& requiresGrad = obj(args[1]);
      if (data.kind != Kind::Tensor) fail(name + ": data is not a tensor");
      if (requiresGrad.kind != Kind::Bool) fail(name + ": requires_grad is not a bool");
      Object t = data;
      t.tensor.requiresGrad = requiresGrad.boolValue;
      push(make(std::move(t)));
    } else {
      fail("global '" + name + "' cannot be called");
    }
  }

  void step(std::uint8_t op) {
    switch (op) {
      case PROTO: {
        const std::uint8_t version = readU8();
        if (version > 5) fail("unsupported pickle protocol " + std::to_string(version));
        break;
      }
      case FRAME:
        readLittle(8);
        break;  // framing is a hint only
      case MARK:
        marks_.push_back(stack_.size());
        break;
      case POP:
        pop();
        break;
      case POP_MARK:
        popToMark();
        break;
      case DUP:
        push(top());
        break;
      case NONE:
        push(makeKind(Kind::None));
        break;
      case NEWTRUE:
      case NEWFALSE: {
        Object o;
        o.kind = Kind::Bool;
        o.boolValue = op == NEWTRUE;
        push(make(std::move(o)));
        break;
      }
      case BININT:
      case BININT1:
      case BININT2: {
        Object o;
        o.kind = Kind::Int;
        if (op == BININT) {
          o.intValue = static_cast<std::int32_t>(static_cast<std::uint32_t>(readLittle(4)));
        } else {
          o.intValue = static_cast<std::int64_t>(readLittle(op == BININT1 ? 1 : 2));
        }
        push(make(std::move(o)));
        break;
      }
      case LONG1:
      case LONG4: {
        const std::uint64_t n = op == LONG1 ? readLittle(1) : readLittle(4);
        if (n > 8) fail("integer of " + std::to_string(n) + " bytes does not fit 64 bits");
        Object o;
        o.kind = Kind::Int;
        o.intValue = readSignedLittle(static_cast<std::size_t>(n));
        push(make(std::move(o)));
        break;
      }
      case BINFLOAT: {
        need(8);
        std::uint64_t bits = 0;
        for (int i = 0; i < 8; ++i)
          bits = (bits << 8) | bytes_[pos_ + static_cast<std::size_t>(i)];  // big-endian
        pos_ += 8;
        Object o;
        o.kind = Kind::Float;
        o.floatValue = std::bit_cast<double>(bits);
        push(make(std::move(o)));
        break;
      }
      case BINUNICODE:
      case SHORT_BINUNICODE:
      case BINUNICODE8:
      case BINSTRING:
      case SHORT_BINSTRING:
      case BINBYTES:
      case SHORT_BINBYTES:
      case BINBYTES8: {
        std::uint64_t n = 0;
        if (op == SHORT_BINUNICODE || op == SHORT_BINSTRING || op == SHORT_BINBYTES) {
          n = readLittle(1);
        } else if (op == BINUNICODE8 || op == BINBYTES8) {
          n = readLittle(8);
        } else {
          n = readLittle(4);
        }
        Object o;
        // Python-2 byte strings (BINSTRING) are read as text, as torch.load does with encoding='utf-8'.
        o.kind = (op == BINBYTES || op == SHORT_BINBYTES || op == BINBYTES8) ? Kind::Bytes : Kind::String;
        o.text = readString(n);
        push(make(std::move(o)));
        break;
      }
      case EMPTY_DICT:
        push(makeKind(Kind::Dict));
        break;
      case EMPTY_LIST:
        push(makeKind(Kind::List));
        break;
      case EMPTY_TUPLE:
        push(makeTuple({}));
        break;
      case TUPLE:
        push(makeTuple(popToMark()));
        break;
      case TUPLE1:
      case TUPLE2:
      case TUPLE3: {
        const std::size_t n = static_cast<std::size_t>(op - TUPLE1) + 1;
        std::vector<ObjectId> items(n);
        for (std::size_t i = n; i-- > 0;) items[i] = pop();
        push(makeTuple(std::move(items)));
        break;
      }
      case LIST: {
        auto items = popToMark();
        const ObjectId id = makeKind(Kind::List);
        obj(id).items = std::move(items);
        push(id);
        break;
      }
      case DICT: {
        auto items = popToMark();
        const ObjectId id = makeKind(Kind::Dict);
        push(id);
        setItems(id, items);
        break;
      }
      case APPEND: {
        const ObjectId value = pop();
        appendTo(top(), {value});
        break;
      }
      case APPENDS: {
        auto items = popToMark();
        appendTo(top(), items);
        break;
      }
      case SETITEM: {
        const ObjectId value = pop();
        const ObjectId key = pop();
        setItems(top(), {key, value});
        break;
      }
      case SETITEMS: {
        auto items = popToMark();
        setItems(top(), items);
        break;
      }
      case BINPUT:
        memoPut(readLittle(1));
        break;
      case LONG_BINPUT:
        memoPut(readLittle(4));
        break;
      case MEMOIZE:
        memoPut(memo_.size());
        break;
      case BINGET:
        memoGet(readLittle(1));
        break;
      case LONG_BINGET:
        memoGet(readLittle(4));
        break;
      case GLOBAL: {
        std::string module = readLine();
        std::string name = readLine();
        global(std::move(module), std::move(name));
        break;
      }
      case STACK_GLOBAL: {
        const Object& name = obj(pop());
        const Object& module = obj(pop());
        if (name.kind != Kind::String || module.kind != Kind::String)
          fail("STACK_GLOBAL without two strings");
        global(module.text, name.text);
        break;
      }
      case REDUCE:
        reduce();
        break;
      case BUILD: {
        pop();  // the state: attributes such as an OrderedDict's `_metadata`, not needed here
        const Kind k = obj(top()).kind;
        if (k != Kind::Dict && k != Kind::Tensor) fail(std::string("BUILD on a ") + kindName(k));
        break;
      }
      case BINPERSID:
        persistentId();
        break;
      default: {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", op);
        fail(std::string("unsupported or invalid pickle opcode ") + hex);
      }
    }
  }

  std::span<const std::uint8_t> bytes_;
  std::string where_;
  std::size_t pos_ = 0;
  std::size_t opStart_ = 0;
  Document doc_;
  std::vector<ObjectId> stack_;
  std::vector<std::size_t> marks_;
  std::unordered_map<std::uint64_t, ObjectId> memo_;
};

Document unpickle(std::span<const std::uint8_t> bytes, const std::string& where) {
  return Unpickler(bytes, where).run();
}

}  // namespace neurolm::pickle
