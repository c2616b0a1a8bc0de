#include "models/io/StoragePrecision.h"

#include <set>
#include <stdexcept>
#include <unordered_map>

namespace neurolm {
namespace {

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::runtime_error failAt(const std::string& where, const std::string& what) {
  return std::runtime_error(where + ": " + what);
}

// [rows, cols] float -> (I8 [rows, cols], F32 scale [rows]). Rows are quantised in double so that the only
// rounding is round(w / s): |w − q·s| ≤ s/2 for the float32 s that is stored.
std::pair<torch::Tensor, torch::Tensor> quantiseRows(const torch::Tensor& weight) {
  const torch::Tensor w = weight.detach().to(torch::kCPU, torch::kDouble);
  const torch::Tensor scale = (w.abs().amax(1) / 127.0).to(torch::kFloat);  // [rows]
  const torch::Tensor s = scale.to(torch::kDouble).unsqueeze(1);            // [rows] -> [rows, 1]
  const torch::Tensor q = torch::where(s > 0, torch::round(w / s), torch::zeros_like(w)).clamp(-127, 127);
  return {q.to(torch::kChar).contiguous(), scale.contiguous()};
}

}  // namespace

std::string precisionName(StoragePrecision precision) {
  switch (precision) {
    case StoragePrecision::Float32:
      return "float32";
    case StoragePrecision::Float16:
      return "float16";
    case StoragePrecision::BFloat16:
      return "bfloat16";
    case StoragePrecision::Int8:
      return "int8";
  }
  return "?";
}

StoragePrecision precisionFromName(const std::string& name) {
  for (auto p : {StoragePrecision::Float32, StoragePrecision::Float16, StoragePrecision::BFloat16,
                 StoragePrecision::Int8}) {
    if (precisionName(p) == name) return p;
  }
  throw std::invalid_argument("unknown storage precision '" + name +
                              "' (expected float32, float16, bfloat16 or int8)");
}

bool isReducedInStorage(const torch::Tensor& tensor) {
  return tensor.defined() && tensor.is_floating_point() && tensor.dim() == 2 &&
         tensor.numel() >= kReducedMinElements;
}

bool keptInFloat32(std::string_view name) { return name == "encode_transform_layer.0.weight"; }

NamedTensors encodeForStorage(const NamedTensors& tensors, StoragePrecision precision,
                              const std::string& where) {
  NamedTensors out;
  out.reserve(tensors.size());
  for (const auto& [name, tensor] : tensors) {
    if (endsWith(name, kScaleSuffix))
      throw failAt(where, "tensor name '" + name + "' ends in the reserved suffix '" +
                              std::string(kScaleSuffix) + "'");
    if (precision == StoragePrecision::Float32 || !isReducedInStorage(tensor) || keptInFloat32(name)) {
      out.emplace_back(name, tensor);
      continue;
    }
    const torch::Tensor w = tensor.detach().to(torch::kCPU, torch::kFloat);
    if (!torch::isfinite(w).all().item<bool>())
      throw failAt(where, "tensor '" + name + "' holds non-finite values; it cannot be stored as " +
                              precisionName(precision));
    switch (precision) {
      case StoragePrecision::Float16: {
        const double maxAbs = w.abs().max().item<double>();
        if (maxAbs > 65504.0)
          throw failAt(where, "tensor '" + name + "' holds |w| = " + std::to_string(maxAbs) +
                                  ", beyond float16's largest value 65504");
        out.emplace_back(name, w.to(torch::kHalf));
        break;
      }
      case StoragePrecision::BFloat16:
        out.emplace_back(name, w.to(torch::kBFloat16));
        break;
      case StoragePrecision::Int8: {
        auto [q, scale] = quantiseRows(w);
        out.emplace_back(name, std::move(q));
        out.emplace_back(name + std::string(kScaleSuffix), std::move(scale));
        break;
      }
      case StoragePrecision::Float32:
        break;
    }
  }
  return out;
}

StoragePrecision storedPrecision(const std::map<std::string, std::string>& metadata,
                                 const std::string& where) {
  const auto it = metadata.find(std::string(kStoragePrecisionKey));
  if (it == metadata.end()) return StoragePrecision::Float32;
  try {
    return precisionFromName(it->second);
  } catch (const std::invalid_argument& e) {
    throw failAt(where, std::string("__metadata__.") + std::string(kStoragePrecisionKey) + ": " + e.what());
  }
}

NamedTensors decodeStoredTensors(const NamedTensors& stored, StoragePrecision precision,
                                 const std::string& where,
                                 const std::function<void(const torch::Tensor&)>& releaseSource) {
  std::unordered_map<std::string, const torch::Tensor*> byName;
  for (const auto& [name, tensor] : stored) byName.emplace(name, &tensor);
  const auto release = [&](const torch::Tensor& t) {
    if (releaseSource) releaseSource(t);
  };

  NamedTensors out;
  out.reserve(stored.size());
  for (const auto& [name, tensor] : stored) {
    if (endsWith(name, kScaleSuffix)) {
      const std::string matrix = name.substr(0, name.size() - kScaleSuffix.size());
      if (precision != StoragePrecision::Int8)
        throw failAt(where, "tensor '" + name + "' is an int8 scale, but the file's storage precision is " +
                                precisionName(precision));
      const auto m = byName.find(matrix);
      if (m == byName.end() || m->second->scalar_type() != torch::kChar)
        throw failAt(where, "scale tensor '" + name + "' has no int8 tensor '" + matrix + "'");
      continue;  // consumed with its matrix
    }
    if (tensor.scalar_type() == torch::kHalf || tensor.scalar_type() == torch::kBFloat16) {
      out.emplace_back(name, tensor.to(torch::kFloat));
      release(tensor);
      continue;
    }
    if (tensor.scalar_type() != torch::kChar || precision != StoragePrecision::Int8) {
      out.emplace_back(name, tensor);
      continue;
    }
    const std::string scaleName = name + std::string(kScaleSuffix);
    const auto s = byName.find(scaleName);
    if (s == byName.end())
      throw failAt(where, "int8 tensor '" + name + "' has no scale tensor '" + scaleName + "'");
    const torch::Tensor& scale = *s->second;
    if (tensor.dim() != 2)
      throw failAt(where, "int8 tensor '" + name + "' has shape " + shapeToString(tensor.sizes()) +
                              ", expected a matrix [rows, cols]");
    if (scale.scalar_type() != torch::kFloat && scale.scalar_type() != torch::kHalf)
      throw failAt(where, "scale tensor '" + scaleName + "' has dtype " +
                              std::string(c10::toString(scale.scalar_type())) + ", expected F32 or F16");
    if (scale.dim() != 1 || scale.size(0) != tensor.size(0))
      throw failAt(where, "scale tensor '" + scaleName + "' has shape " + shapeToString(scale.sizes()) +
                              ", expected [" + std::to_string(tensor.size(0)) + "] (one per row of '" + name +
                              "' " + shapeToString(tensor.sizes()) + ")");
    const torch::Tensor scale32 = scale.to(torch::kFloat);
    if (!(torch::isfinite(scale32).all().item<bool>() && (scale32 >= 0).all().item<bool>()))
      throw failAt(where, "scale tensor '" + scaleName + "' holds negative or non-finite values");
    out.emplace_back(name, tensor.to(torch::kFloat) * scale32.unsqueeze(1));  // [rows, cols] * [rows, 1]
    release(tensor);
    release(scale);
  }
  return out;
}

}  // namespace neurolm
