#pragma once
// A restricted reader of the pickle stream inside a torch.save file (`data.pkl`).
//
// It understands the opcodes torch.save emits (protocol 2; a few protocol 3/4 opcodes newer PyTorch versions
// may use are accepted too) and builds plain values: None, bool, int, float, str, bytes, tuple, list, dict,
// plus descriptions of storages (persistent ids) and tensors (`_rebuild_tensor_v2` calls). Globals are
// resolved against a short allow-list only; anything else is refused with its name. Nothing is ever executed:
// the allowed "calls" are interpreted here (an OrderedDict becomes a dict, a tensor rebuild becomes a
// TensorRef).
//
// Every read is bounds-checked; malformed input gives std::runtime_error("<where>: pickle byte N: ..."),
// never undefined behaviour. Objects live in one arena and refer to each other by index, so shared or even
// cyclic references in hostile input cannot cause deep recursion or leaks. No torch dependency: the
// checkpoint reader turns the descriptions into tensors.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace neurolm::pickle {

using ObjectId = std::uint32_t;

enum class Kind : std::uint8_t {
  None,
  Bool,
  Int,
  Float,
  String,
  Bytes,
  Tuple,
  List,
  Dict,
  Global,   // an allowed global used as a value (e.g. the storage type `torch.FloatStorage`)
  Storage,  // a persistent id ('storage', <type>, key, location, numel)
  Tensor,   // the result of torch._utils._rebuild_tensor_v2 / _rebuild_parameter
};

const char* kindName(Kind kind);

struct StorageRef {
  std::string storageType;  // e.g. "FloatStorage" (the name inside `torch.`)
  std::string key;          // record name inside the zip: data/<key>
  std::string location;     // e.g. "cpu", "cuda:0"
  std::int64_t numel = 0;   // element count of the whole storage
};

struct TensorRef {
  ObjectId storage = 0;  // an object of kind Storage
  std::int64_t storageOffset = 0;
  std::vector<std::int64_t> sizes;
  std::vector<std::int64_t> strides;
  bool requiresGrad = false;
};

struct Object {
  Kind kind = Kind::None;
  bool boolValue = false;
  std::int64_t intValue = 0;
  double floatValue = 0.0;
  std::string text;  // String / Bytes contents; Global: "module.name"
  std::vector<ObjectId>
      items;  // Tuple/List elements; Dict: key0, value0, key1, value1, ... in insertion order
  StorageRef storage;
  TensorRef tensor;
};

class Document {
 public:
  ObjectId root() const { return root_; }
  const Object& at(ObjectId id) const { return objects_.at(id); }
  std::size_t objectCount() const { return objects_.size(); }

  // Dict helpers. `dict` must be of kind Dict. Returns nullptr when no string key equals `key`.
  const Object* find(const Object& dict, std::string_view key) const;

 private:
  friend class Unpickler;
  std::vector<Object> objects_;
  ObjectId root_ = 0;
};

// The globals a pickle may name (as "module.name"), e.g. "collections.OrderedDict".
bool isAllowedGlobal(std::string_view qualifiedName);

// Parses a whole pickle stream. `where` (usually "<file>: data.pkl") prefixes every error message.
Document unpickle(std::span<const std::uint8_t> bytes, const std::string& where);

}  // namespace neurolm::pickle
