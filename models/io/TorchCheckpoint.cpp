#include "models/io/TorchCheckpoint.h"

#include <caffe2/serialize/inline_container.h>

#include <fstream>
#include <map>
#include <stdexcept>
#include <unordered_set>

#include "models/io/RestrictedUnpickler.h"

namespace neurolm {

namespace {

using pickle::Document;
using pickle::Kind;
using pickle::Object;

constexpr int kMaxJsonDepth = 64;
constexpr std::size_t kMaxTensorDims = 64;

std::string firstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

c10::ScalarType dtypeOfStorage(const std::string& storageType, const std::string& where) {
  static const std::map<std::string, c10::ScalarType> kTypes = {
      {"FloatStorage", c10::kFloat},       {"DoubleStorage", c10::kDouble}, {"HalfStorage", c10::kHalf},
      {"BFloat16Storage", c10::kBFloat16}, {"LongStorage", c10::kLong},     {"IntStorage", c10::kInt},
      {"ShortStorage", c10::kShort},       {"CharStorage", c10::kChar},     {"ByteStorage", c10::kByte},
      {"BoolStorage", c10::kBool}};
  const auto it = kTypes.find(storageType);
  if (it == kTypes.end()) throw std::runtime_error(where + ": unsupported storage type torch." + storageType);
  return it->second;
}

// What the first bytes say about the file, before the zip reader sees it.
void checkSignature(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw std::runtime_error(path.string() + ": is a directory, not a checkpoint file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot open checkpoint file");
  unsigned char head[4] = {0, 0, 0, 0};
  in.read(reinterpret_cast<char*>(head), 4);
  const auto got = in.gcount();
  if (got == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return;
  if (got >= 2 && head[0] == 0x80 && head[1] <= 5) {
    throw std::runtime_error(
        path.string() +
        ": legacy torch.save format (PyTorch < 1.6 or _use_new_zipfile_serialization=False) "
        "is not supported; re-save it with torch.save in a current PyTorch");
  }
  throw std::runtime_error(path.string() + ": not a PyTorch checkpoint (no zip signature at the start; " +
                           std::to_string(got) + " bytes read)");
}

class CheckpointBuilder {
 public:
  CheckpointBuilder(const std::filesystem::path& path, caffe2::serialize::PyTorchStreamReader& reader,
                    const Document& doc)
      : path_(path), where_(path.string()), reader_(reader), doc_(doc) {}

  TorchCheckpoint build() {
    TorchCheckpoint ckpt;
    ckpt.path = path_;
    const Object& root = doc_.at(doc_.root());
    if (root.kind != Kind::Dict) {
      fail(std::string("top level of data.pkl is a ") + pickle::kindName(root.kind) + ", expected a dict");
    }
    const Object* model = doc_.find(root, "model");
    if (model == nullptr && isBareStateDict(root)) model = &root;
    if (model == nullptr) fail("no 'model' entry (top-level keys: " + listKeys(root) + ")");
    if (model->kind != Kind::Dict) fail(std::string("'model' is a ") + pickle::kindName(model->kind));
    readModel(*model, ckpt);
    if (model == &root) return ckpt;

    for (std::size_t i = 0; i + 1 < root.items.size(); i += 2) {
      const Object& key = doc_.at(root.items[i]);
      const Object& value = doc_.at(root.items[i + 1]);
      const std::string name = key.kind == Kind::String ? key.text : keyText(key);
      if (name == "model") continue;
      if (name == "model_args") {
        ckpt.modelArgs = toJson(value, 0, name);
      } else if (name == "encoder_args") {
        ckpt.encoderArgs = toJson(value, 0, name);
      } else if (name == "decoder_args") {
        ckpt.decoderArgs = toJson(value, 0, name);
      } else if (name == "iter_num") {
        ckpt.iterNum = toInt(value, name);
      } else if (name == "epoch") {
        ckpt.epoch = toInt(value, name);
      } else if (name == "optimizer") {
        ckpt.hadOptimizer = true;  // parsed (so it is well-formed pickle); its tensors are not needed
      } else {
        ckpt.otherKeys.push_back(name);
      }
    }
    return ckpt;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw std::runtime_error(where_ + ": " + what); }

  bool isBareStateDict(const Object& dict) const {
    if (dict.items.empty()) return false;
    for (std::size_t i = 0; i + 1 < dict.items.size(); i += 2) {
      if (doc_.at(dict.items[i]).kind != Kind::String || doc_.at(dict.items[i + 1]).kind != Kind::Tensor) {
        return false;
      }
    }
    return true;
  }

  std::string keyText(const Object& key) const {
    switch (key.kind) {
      case Kind::String:
        return key.text;
      case Kind::Int:
        return std::to_string(key.intValue);
      case Kind::Bool:
        return key.boolValue ? "True" : "False";
      case Kind::None:
        return "None";
      default:
        return std::string("<") + pickle::kindName(key.kind) + ">";
    }
  }

  std::string listKeys(const Object& dict) const {
    std::string s;
    for (std::size_t i = 0; i + 1 < dict.items.size(); i += 2) {
      if (!s.empty()) s += ", ";
      s += keyText(doc_.at(dict.items[i]));
    }
    return s.empty() ? "none" : s;
  }

  std::int64_t toInt(const Object& value, const std::string& name) const {
    if (value.kind == Kind::Int) return value.intValue;
    fail("'" + name + "' is a " + pickle::kindName(value.kind) + ", expected an int");
  }

  nlohmann::json toJson(const Object& value, int depth, const std::string& name) const {
    if (depth > kMaxJsonDepth) fail("'" + name + "' is nested deeper than " + std::to_string(kMaxJsonDepth));
    switch (value.kind) {
      case Kind::None:
        return nullptr;
      case Kind::Bool:
        return value.boolValue;
      case Kind::Int:
        return value.intValue;
      case Kind::Float:
        return value.floatValue;
      case Kind::String:
        return value.text;
      case Kind::Tuple:
      case Kind::List: {
        nlohmann::json a = nlohmann::json::array();
        for (const auto id : value.items) a.push_back(toJson(doc_.at(id), depth + 1, name));
        return a;
      }
      case Kind::Dict: {
        nlohmann::json o = nlohmann::json::object();
        for (std::size_t i = 0; i + 1 < value.items.size(); i += 2) {
          o[keyText(doc_.at(value.items[i]))] = toJson(doc_.at(value.items[i + 1]), depth + 1, name);
        }
        return o;
      }
      default:
        fail("'" + name + "' holds a " + pickle::kindName(value.kind) + ", expected plain data");
    }
  }

  void readModel(const Object& model, TorchCheckpoint& ckpt) {
    std::unordered_set<std::string> names;
    for (std::size_t i = 0; i + 1 < model.items.size(); i += 2) {
      const Object& key = doc_.at(model.items[i]);
      const Object& value = doc_.at(model.items[i + 1]);
      if (key.kind != Kind::String)
        fail("'model' has a key of kind " + std::string(pickle::kindName(key.kind)));
      if (value.kind != Kind::Tensor) {
        fail("'model' entry '" + key.text + "' is a " + pickle::kindName(value.kind) + ", not a tensor");
      }
      if (std::string_view(key.text).starts_with(kOrigModPrefix)) ckpt.hadOrigModPrefix = true;
      std::string name = stripOrigModPrefix(key.text);
      if (!names.insert(name).second) fail("'model' holds the key '" + name + "' twice");
      torch::Tensor tensor = rebuild(value, name);
      ckpt.modelTensors.emplace_back(std::move(name), std::move(tensor));
    }
  }

  c10::Storage storageFor(const pickle::StorageRef& ref, c10::ScalarType dtype,
                          const std::string& tensorName) {
    const auto cached = storages_.find(ref.key);
    if (cached != storages_.end()) {
      if (cached->second.dtype != dtype || cached->second.numel != ref.numel) {
        fail("storage data/" + ref.key + " is used with two different types or sizes");
      }
      return cached->second.storage;
    }
    const std::string record = "data/" + ref.key;
    if (ref.key.empty() || ref.key.find("..") != std::string::npos || !reader_.hasRecord(record)) {
      fail("tensor '" + tensorName + "' refers to storage record '" + record + "', which the archive lacks");
    }
    auto [data, bytes] = reader_.getRecord(record);
    const std::size_t elementSize = c10::elementSize(dtype);
    if (static_cast<std::uint64_t>(ref.numel) > bytes / elementSize || bytes != ref.numel * elementSize) {
      fail("storage record '" + record + "' has " + std::to_string(bytes) +
           " bytes, but the pickle declares " + std::to_string(ref.numel) + " elements of " +
           std::to_string(elementSize) + " bytes");
    }
    c10::Storage storage(c10::Storage::use_byte_size_t(), bytes, std::move(data), /*allocator=*/nullptr,
                         /*resizable=*/false);
    storages_.emplace(ref.key, CachedStorage{storage, dtype, ref.numel});
    return storage;
  }

  torch::Tensor rebuild(const Object& value, const std::string& name) {
    const pickle::TensorRef& t = value.tensor;
    const Object& storageObj = doc_.at(t.storage);
    const pickle::StorageRef& ref = storageObj.storage;
    const c10::ScalarType dtype = dtypeOfStorage(ref.storageType, where_ + ": tensor '" + name + "'");
    if (t.sizes.size() > kMaxTensorDims)
      fail("tensor '" + name + "' has " + std::to_string(t.sizes.size()) + " dims");
    // The view must lie inside its storage: offset + sum((size_i - 1) * stride_i) < numel, without overflow.
    if (t.storageOffset < 0) fail("tensor '" + name + "' has a negative storage offset");
    bool empty = false;
    std::int64_t last = t.storageOffset;
    std::int64_t numel = 1;
    for (std::size_t d = 0; d < t.sizes.size(); ++d) {
      if (t.sizes[d] < 0 || t.strides[d] < 0) {
        fail("tensor '" + name + "' has a negative size or stride in dimension " + std::to_string(d));
      }
      if (t.sizes[d] == 0) empty = true;
      std::int64_t span = 0;
      if (t.sizes[d] > 0 &&
          (__builtin_mul_overflow(t.sizes[d] - 1, t.strides[d], &span) ||
           __builtin_add_overflow(last, span, &last) || __builtin_mul_overflow(numel, t.sizes[d], &numel))) {
        fail("tensor '" + name + "' has sizes/strides that overflow 64 bits");
      }
    }
    if (empty ? t.storageOffset > ref.numel : last >= ref.numel) {
      fail("tensor '" + name + "' (size " + shapeToString(t.sizes) + ", stride " + shapeToString(t.strides) +
           ", offset " + std::to_string(t.storageOffset) + ") reaches outside its storage of " +
           std::to_string(ref.numel) + " elements");
    }
    c10::Storage storage = storageFor(ref, dtype, name);
    torch::Tensor tensor = torch::empty({0}, torch::TensorOptions().dtype(dtype));
    tensor.set_(storage, t.storageOffset, t.sizes, t.strides);
    return tensor;
  }

  struct CachedStorage {
    c10::Storage storage;
    c10::ScalarType dtype;
    std::int64_t numel;
  };

  std::filesystem::path path_;
  std::string where_;
  caffe2::serialize::PyTorchStreamReader& reader_;
  const Document& doc_;
  std::map<std::string, CachedStorage> storages_;
};

}  // namespace

TorchCheckpoint readTorchCheckpoint(const std::filesystem::path& path) {
  checkSignature(path);
  const std::string where = path.string();
  try {
    caffe2::serialize::PyTorchStreamReader reader(where);
    if (!reader.hasRecord("data.pkl")) {
      throw std::runtime_error(where +
                               ": zip archive has no data.pkl (not a torch.save file; TorchScript "
                               "archives are not supported)");
    }
    if (reader.hasRecord("byteorder")) {
      auto [order, orderBytes] = reader.getRecord("byteorder");
      const std::string text(static_cast<const char*>(order.get()), orderBytes);
      if (text != "little") throw std::runtime_error(where + ": byte order '" + text + "' is not supported");
    }
    auto [pkl, pklBytes] = reader.getRecord("data.pkl");
    const auto* begin = static_cast<const std::uint8_t*>(pkl.get());
    const Document doc = pickle::unpickle({begin, pklBytes}, where + ": data.pkl");
    return CheckpointBuilder(path, reader, doc).build();
  } catch (const c10::Error& e) {
    const std::string why = firstLine(e.what_without_backtrace());
    const bool noDirectory = why.find("central directory") != std::string::npos;
    throw std::runtime_error(where + ": malformed PyTorch zip archive: " + why +
                             (noDirectory ? " (is the file truncated?)" : ""));
  }
}

}  // namespace neurolm
