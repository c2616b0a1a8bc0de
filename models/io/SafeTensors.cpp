#include "models/io/SafeTensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <memory>
#include <set>
#include <stdexcept>

#include "models/io/AtomicFileWriter.h"

namespace neurolm {

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");

namespace {

constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;  // as the reference implementation
constexpr std::string_view kMetadataKey = "__metadata__";

struct DtypeName {
  c10::ScalarType type;
  const char* name;
};
constexpr DtypeName kDtypes[] = {
    {c10::kBool, "BOOL"}, {c10::kByte, "U8"},    {c10::kChar, "I8"},  {c10::kShort, "I16"},
    {c10::kInt, "I32"},   {c10::kLong, "I64"},   {c10::kHalf, "F16"}, {c10::kBFloat16, "BF16"},
    {c10::kFloat, "F32"}, {c10::kDouble, "F64"},
};

const char* dtypeName(c10::ScalarType t) {
  for (const auto& d : kDtypes) {
    if (d.type == t) return d.name;
  }
  return nullptr;
}

std::string sysError() { return std::strerror(errno); }

// A read-only view of a whole file, private (writes to tensors never reach the file).
class FileMapping {
 public:
  explicit FileMapping(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error(path.string() + ": cannot open: " + sysError());
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      const std::string why = sysError();
      ::close(fd);
      throw std::runtime_error(path.string() + ": cannot stat: " + why);
    }
    if (!S_ISREG(st.st_mode)) {
      ::close(fd);
      throw std::runtime_error(path.string() + ": not a regular file");
    }
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ > 0) {
      void* p = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        const std::string why = sysError();
        ::close(fd);
        throw std::runtime_error(path.string() + ": cannot map: " + why);
      }
      data_ = static_cast<std::uint8_t*>(p);
    }
    ::close(fd);  // the mapping stays valid
  }
  ~FileMapping() {
    if (data_ != nullptr) ::munmap(data_, size_);
  }
  FileMapping(const FileMapping&) = delete;
  FileMapping& operator=(const FileMapping&) = delete;
  std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

struct Entry {
  std::string name;
  c10::ScalarType dtype;
  std::vector<std::int64_t> shape;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

std::uint64_t jsonOffset(const nlohmann::json& v, const std::string& fail) {
  if (!v.is_number_unsigned()) throw std::runtime_error(fail);
  return v.get<std::uint64_t>();
}

}  // namespace

nlohmann::json SafeTensorsFile::config() const {
  const auto it = metadata.find(std::string(kNeurolmConfigKey));
  if (it == metadata.end()) return nullptr;
  try {
    return nlohmann::json::parse(it->second);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("__metadata__.") + std::string(kNeurolmConfigKey) +
                             " is not valid JSON: " + e.what());
  }
}

namespace {

// The header text (padded so that the data start is 8-byte aligned) and the data bytes that follow it.
std::pair<std::string, std::uint64_t> headerFor(const std::string& where, const NamedTensors& tensors,
                                                const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) {
    nlohmann::ordered_json meta = nlohmann::ordered_json::object();
    for (const auto& [k, v] : metadata) meta[k] = v;
    header[std::string(kMetadataKey)] = std::move(meta);
  }
  std::set<std::string> names;
  std::uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (name.empty() || name == kMetadataKey)
      throw std::runtime_error(where + ": invalid tensor name '" + name + "'");
    if (!names.insert(name).second)
      throw std::runtime_error(where + ": tensor name '" + name + "' appears twice");
    if (!tensor.defined()) throw std::runtime_error(where + ": tensor '" + name + "' is undefined");
    const char* dtype = dtypeName(tensor.scalar_type());
    if (dtype == nullptr) {
      throw std::runtime_error(where + ": tensor '" + name + "' has dtype " +
                               std::string(c10::toString(tensor.scalar_type())) +
                               ", which safetensors files " + "written here do not support");
    }
    const std::uint64_t bytes = static_cast<std::uint64_t>(tensor.numel()) * tensor.element_size();
    header[name] = {
        {"dtype", dtype}, {"shape", tensor.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - (8 + text.size()) % 8) % 8, ' ');  // data starts 8-byte aligned
  return {std::move(text), offset};
}

}  // namespace

std::uint64_t safeTensorsFileBytes(const NamedTensors& tensors,
                                   const std::map<std::string, std::string>& metadata) {
  const auto [text, dataBytes] = headerFor("safetensors", tensors, metadata);
  return 8 + text.size() + dataBytes;
}

void writeSafeTensors(const std::filesystem::path& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata) {
  const std::string text = headerFor(path.string(), tensors, metadata).first;
  AtomicFileWriter out(path);
  std::uint8_t length[8];
  for (int i = 0; i < 8; ++i) length[i] = static_cast<std::uint8_t>(text.size() >> (8 * i));
  out.write(length, sizeof length);
  out.write(text.data(), text.size());
  for (const auto& [name, tensor] : tensors) {
    if (tensor.numel() == 0) continue;
    const torch::Tensor dense = tensor.detach().to(torch::kCPU).contiguous();
    out.write(dense.data_ptr(), static_cast<std::size_t>(dense.numel()) * dense.element_size());
  }
  out.commit();
}

void writeSafeTensors(const std::filesystem::path& path, const NamedTensors& tensors,
                      const nlohmann::json& config, std::map<std::string, std::string> metadata) {
  metadata[std::string(kNeurolmConfigKey)] = config.dump();
  writeSafeTensors(path, tensors, metadata);
}

SafeTensorsFile readSafeTensors(const std::filesystem::path& path, SafeTensorsLoad mode) {
  const std::string where = path.string();
  auto fail = [&](const std::string& what) -> std::runtime_error {
    return std::runtime_error(where + ": " + what);
  };
  auto file = std::make_shared<FileMapping>(path);
  const std::uint64_t fileSize = file->size();
  if (fileSize < 8) throw fail("too short for a safetensors file (" + std::to_string(fileSize) + " bytes)");
  std::uint64_t headerBytes = 0;
  for (int i = 0; i < 8; ++i) headerBytes |= static_cast<std::uint64_t>(file->data()[i]) << (8 * i);
  if (headerBytes > kMaxHeaderBytes) {
    throw fail("header length " + std::to_string(headerBytes) + " exceeds the limit of " +
               std::to_string(kMaxHeaderBytes) + " bytes");
  }
  if (headerBytes > fileSize - 8) {
    throw fail("header length " + std::to_string(headerBytes) + " runs past the end of the file (" +
               std::to_string(fileSize) + " bytes)");
  }
  const std::string_view headerText(reinterpret_cast<const char*>(file->data() + 8), headerBytes);
  if (headerText.empty() || headerText.front() != '{') throw fail("header does not start with '{'");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(headerText);
  } catch (const nlohmann::json::exception& e) {
    throw fail(std::string("header is not valid JSON: ") + e.what());
  }
  if (!header.is_object()) throw fail("header is not a JSON object");

  SafeTensorsFile result;
  std::vector<Entry> entries;
  for (const auto& [name, info] : header.items()) {
    if (name == kMetadataKey) {
      if (!info.is_object()) throw fail("__metadata__ is not an object");
      for (const auto& [k, v] : info.items()) {
        if (!v.is_string()) throw fail("__metadata__." + k + " is not a string");
        result.metadata.emplace(k, v.get<std::string>());
      }
      continue;
    }
    const std::string what = "tensor '" + name + "'";
    if (!info.is_object()) throw fail(what + ": entry is not an object");
    if (!info.contains("dtype") || !info["dtype"].is_string()) throw fail(what + ": no string 'dtype'");
    if (!info.contains("shape") || !info["shape"].is_array()) throw fail(what + ": no array 'shape'");
    if (!info.contains("data_offsets") || !info["data_offsets"].is_array() ||
        info["data_offsets"].size() != 2) {
      throw fail(what + ": 'data_offsets' is not a pair [begin, end]");
    }
    Entry e;
    e.name = name;
    const std::string dtype = info["dtype"].get<std::string>();
    const auto* known = std::find_if(std::begin(kDtypes), std::end(kDtypes),
                                     [&](const DtypeName& d) { return dtype == d.name; });
    if (known == std::end(kDtypes)) throw fail(what + ": unsupported dtype '" + dtype + "'");
    e.dtype = known->type;
    std::uint64_t bytes = c10::elementSize(e.dtype);
    for (const auto& dim : info["shape"]) {
      if (!dim.is_number_unsigned())
        throw fail(what + ": shape " + info["shape"].dump() + " is not non-negative ints");
      const std::uint64_t d = dim.get<std::uint64_t>();
      if (d > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ||
          __builtin_mul_overflow(bytes, d, &bytes)) {
        throw fail(what + ": shape " + info["shape"].dump() + " overflows");
      }
      e.shape.push_back(static_cast<std::int64_t>(d));
    }
    const std::string badOffsets =
        what + ": data_offsets " + info["data_offsets"].dump() + " are not two non-negative ints";
    e.begin = jsonOffset(info["data_offsets"][0], badOffsets);
    e.end = jsonOffset(info["data_offsets"][1], badOffsets);
    if (e.end < e.begin || e.end - e.begin != bytes) {
      throw fail(what + ": data_offsets " + info["data_offsets"].dump() + " span " +
                 std::to_string(e.end >= e.begin ? e.end - e.begin : 0) + " bytes, but dtype " + dtype +
                 " and shape " + info["shape"].dump() + " need " + std::to_string(bytes));
    }
    entries.push_back(std::move(e));
  }

  // The byte ranges must tile the data section [0, dataBytes) exactly.
  const std::uint64_t dataBytes = fileSize - 8 - headerBytes;
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  std::uint64_t expected = 0;
  for (const auto& e : entries) {
    if (e.begin != expected) {
      throw fail("tensor '" + e.name + "' starts at data byte " + std::to_string(e.begin) + ", expected " +
                 std::to_string(expected) +
                 (e.begin < expected ? " (overlaps the previous tensor)" : " (gap)"));
    }
    expected = e.end;
  }
  if (expected != dataBytes) {
    throw fail("tensors cover " + std::to_string(expected) + " data bytes, but the file holds " +
               std::to_string(dataBytes) +
               (expected > dataBytes ? " (file truncated?)" : " (trailing bytes)"));
  }

  std::uint8_t* const dataStart = file->data() + 8 + headerBytes;
  if (mode == SafeTensorsLoad::Map) {
    result.releasePages = [file](const torch::Tensor& t) {
      if (!t.defined() || t.nbytes() == 0) return;
      const auto begin = reinterpret_cast<std::uintptr_t>(t.data_ptr());
      const auto base = reinterpret_cast<std::uintptr_t>(file->data());
      if (begin < base || begin + t.nbytes() > base + file->size()) return;  // not a view of this mapping
      const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
      const std::uintptr_t first = (begin + page - 1) / page * page;  // whole pages inside the tensor only
      const std::uintptr_t last = (begin + t.nbytes()) / page * page;
      if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
    };
  }
  for (const auto& e : entries) {
    const auto options = torch::TensorOptions().dtype(e.dtype);
    torch::Tensor t;
    std::uint8_t* p = dataStart + e.begin;
    const bool aligned = reinterpret_cast<std::uintptr_t>(p) % c10::elementSize(e.dtype) == 0;
    if (e.end == e.begin) {
      t = torch::empty(e.shape, options);
    } else if (mode == SafeTensorsLoad::Map && aligned) {
      t = torch::from_blob(
          p, e.shape, [file](void*) {}, options);  // keeps the mapping alive
    } else {
      t = torch::empty(e.shape, options);
      std::memcpy(t.data_ptr(), p, e.end - e.begin);
    }
    result.tensors.emplace_back(e.name, std::move(t));
  }
  return result;
}

}  // namespace neurolm
