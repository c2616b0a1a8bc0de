#include "core/io/Npy.h"

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/io/AtomicFile.h"

namespace neurolm {
namespace {

struct DescrInfo {
  NpyType type;
  std::size_t size;
};

DescrInfo parseDescr(const std::string& descr, const std::string& name) {
  if (descr == "<f4") return {NpyType::Float32, 4};
  if (descr == "<f8") return {NpyType::Float64, 8};
  if (descr == "<i4") return {NpyType::Int32, 4};
  if (descr == "<i8") return {NpyType::Int64, 8};
  if (descr == "|u1" || descr == "<u1") return {NpyType::UInt8, 1};
  if (descr == "<u2") return {NpyType::UInt16, 2};
  if (descr == "|b1") return {NpyType::Bool, 1};
  throw std::runtime_error(name + ": unsupported .npy dtype '" + descr +
                           "' (expected one of <f4 <f8 <i4 <i8 |u1 <u2 |b1)");
}

std::string descrOf(NpyType t) {
  switch (t) {
    case NpyType::Float32: return "<f4";
    case NpyType::Float64: return "<f8";
    case NpyType::Int32: return "<i4";
    case NpyType::Int64: return "<i8";
    case NpyType::UInt8: return "|u1";
    case NpyType::UInt16: return "<u2";
    case NpyType::Bool: return "|b1";
  }
  return "";
}

// Extracts the value text of 'key' in the header dict, e.g. "'descr': '<f4'" -> "'<f4'".
std::string dictValue(const std::string& header, const std::string& key, const std::string& name) {
  const std::string needle = "'" + key + "'";
  const auto pos = header.find(needle);
  if (pos == std::string::npos) throw std::runtime_error(name + ": .npy header lacks '" + key + "'");
  auto colon = header.find(':', pos + needle.size());
  if (colon == std::string::npos) throw std::runtime_error(name + ": malformed .npy header");
  std::size_t start = colon + 1;
  while (start < header.size() && header[start] == ' ') ++start;
  if (start >= header.size()) throw std::runtime_error(name + ": malformed .npy header");
  std::size_t end = start;
  if (header[start] == '(') {
    end = header.find(')', start);
    if (end == std::string::npos) throw std::runtime_error(name + ": malformed .npy shape");
    ++end;
  } else if (header[start] == '\'') {
    end = header.find('\'', start + 1);
    if (end == std::string::npos) throw std::runtime_error(name + ": malformed .npy header");
    ++end;
  } else {
    while (end < header.size() && header[end] != ',' && header[end] != '}') ++end;
  }
  return header.substr(start, end - start);
}

template <typename T>
T loadAt(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

template <typename Out>
std::vector<Out> convert(const NpyArray& a) {
  const std::size_t n = a.elementCount();
  std::vector<Out> out(n);
  const std::uint8_t* p = a.bytes.data();
  for (std::size_t i = 0; i < n; ++i) {
    switch (a.type) {
      case NpyType::Float32: out[i] = static_cast<Out>(loadAt<float>(p + 4 * i)); break;
      case NpyType::Float64: out[i] = static_cast<Out>(loadAt<double>(p + 8 * i)); break;
      case NpyType::Int32: out[i] = static_cast<Out>(loadAt<std::int32_t>(p + 4 * i)); break;
      case NpyType::Int64: out[i] = static_cast<Out>(loadAt<std::int64_t>(p + 8 * i)); break;
      case NpyType::UInt8: out[i] = static_cast<Out>(p[i]); break;
      case NpyType::UInt16: out[i] = static_cast<Out>(loadAt<std::uint16_t>(p + 2 * i)); break;
      case NpyType::Bool: out[i] = static_cast<Out>(p[i] != 0); break;
    }
  }
  return out;
}

}  // namespace

std::size_t NpyArray::elementCount() const {
  std::size_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

std::size_t NpyArray::itemSize() const {
  switch (type) {
    case NpyType::Float64:
    case NpyType::Int64: return 8;
    case NpyType::Float32:
    case NpyType::Int32: return 4;
    case NpyType::UInt16: return 2;
    default: return 1;
  }
}

std::vector<double> NpyArray::toDouble() const { return convert<double>(*this); }
std::vector<float> NpyArray::toFloat() const { return convert<float>(*this); }
std::vector<std::int64_t> NpyArray::toInt64() const {
  if (type == NpyType::Float32 || type == NpyType::Float64) {
    throw std::runtime_error("npy: refusing to convert a floating-point array to integers");
  }
  return convert<std::int64_t>(*this);
}

NpyArray parseNpy(const std::uint8_t* data, std::size_t size, const std::string& name) {
  static const char kMagic[] = "\x93NUMPY";
  if (size < 10 || std::memcmp(data, kMagic, 6) != 0) {
    throw std::runtime_error(name + ": not a .npy file (bad magic)");
  }
  const int major = data[6];
  std::size_t headerLen = 0;
  std::size_t offset = 0;
  if (major == 1) {
    headerLen = static_cast<std::size_t>(data[8]) | (static_cast<std::size_t>(data[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) throw std::runtime_error(name + ": truncated .npy header");
    headerLen = static_cast<std::size_t>(loadAt<std::uint32_t>(data + 8));
    offset = 12;
  } else {
    throw std::runtime_error(name + ": unsupported .npy version " + std::to_string(major));
  }
  if (offset + headerLen > size) throw std::runtime_error(name + ": truncated .npy header");
  const std::string header(reinterpret_cast<const char*>(data + offset), headerLen);
  offset += headerLen;

  std::string descr = dictValue(header, "descr", name);
  descr = descr.substr(1, descr.size() - 2);
  const DescrInfo info = parseDescr(descr, name);
  const std::string fortran = dictValue(header, "fortran_order", name);
  if (fortran.find("True") != std::string::npos) {
    throw std::runtime_error(name + ": Fortran-order .npy arrays are not supported (save with C order)");
  }
  std::string shapeText = dictValue(header, "shape", name);
  NpyArray out;
  out.type = info.type;
  std::stringstream ss(shapeText.substr(1, shapeText.size() - 2));
  std::string item;
  while (std::getline(ss, item, ',')) {
    const auto first = item.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    try {
      const long long v = std::stoll(item.substr(first));
      if (v < 0) throw std::out_of_range("negative");
      out.shape.push_back(static_cast<std::size_t>(v));
    } catch (const std::exception&) {
      throw std::runtime_error(name + ": bad .npy shape '" + shapeText + "'");
    }
  }
  const std::size_t count = out.elementCount();
  if (count != 0 && info.size > (size - offset) / count + 1) {
    throw std::runtime_error(name + ": truncated .npy data");
  }
  const std::size_t need = count * info.size;
  if (size - offset < need) {
    throw std::runtime_error(name + ": truncated .npy data (" + std::to_string(size - offset) +
                             " bytes, expected " + std::to_string(need) + ")");
  }
  out.bytes.assign(data + offset, data + offset + need);
  return out;
}

NpyArray readNpy(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot open");
  std::vector<std::uint8_t> buf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parseNpy(buf.data(), buf.size(), path.string());
}

void writeNpy(const std::filesystem::path& path, const NpyArray& array) {
  std::string shape = "(";
  for (std::size_t i = 0; i < array.shape.size(); ++i) {
    shape += std::to_string(array.shape[i]);
    if (array.shape.size() == 1 || i + 1 < array.shape.size()) shape += ",";
    if (i + 1 < array.shape.size()) shape += " ";
  }
  shape += ")";
  std::string header = "{'descr': '" + descrOf(array.type) + "', 'fortran_order': False, 'shape': " + shape + ", }";
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string file = std::string("\x93NUMPY\x01\x00", 8);
  file += static_cast<char>(header.size() & 0xff);
  file += static_cast<char>((header.size() >> 8) & 0xff);
  file += header;
  file.append(reinterpret_cast<const char*>(array.bytes.data()), array.bytes.size());
  writeFileAtomically(path, file);
}

namespace {
template <typename T>
NpyArray make(const std::vector<T>& values, std::vector<std::size_t> shape, NpyType type) {
  NpyArray a;
  a.type = type;
  a.shape = std::move(shape);
  if (a.elementCount() != values.size()) throw std::invalid_argument("makeNpy: shape does not match values");
  a.bytes.resize(values.size() * sizeof(T));
  std::memcpy(a.bytes.data(), values.data(), a.bytes.size());
  return a;
}
}  // namespace

NpyArray makeNpy(const std::vector<float>& v, std::vector<std::size_t> s) { return make(v, s, NpyType::Float32); }
NpyArray makeNpy(const std::vector<double>& v, std::vector<std::size_t> s) { return make(v, s, NpyType::Float64); }
NpyArray makeNpy(const std::vector<std::int64_t>& v, std::vector<std::size_t> s) {
  return make(v, s, NpyType::Int64);
}

}  // namespace neurolm
