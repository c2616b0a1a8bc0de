#include "models/io/StateDict.h"

#include <map>
#include <sstream>
#include <stdexcept>
#include <unordered_set>

namespace neurolm {

std::string stripOrigModPrefix(std::string_view key) {
  if (key.starts_with(kOrigModPrefix)) key.remove_prefix(kOrigModPrefix.size());
  return std::string(key);
}

NamedTensors selectPrefix(const NamedTensors& tensors, std::string_view prefix) {
  NamedTensors out;
  for (const auto& [name, tensor] : tensors) {
    if (name.size() > prefix.size() && std::string_view(name).starts_with(prefix)) {
      out.emplace_back(name.substr(prefix.size()), tensor);
    }
  }
  return out;
}

std::string shapeToString(c10::IntArrayRef shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

namespace {

// nanoGPT under PyTorch < 2 registers a causal mask `attn.bias` of [1, 1, block_size, block_size] per block.
bool isLegacyAttentionMask(const std::string& key, const torch::Tensor& t) {
  constexpr std::string_view suffix = "attn.bias";
  const bool nameMatches = key == suffix || (key.size() > suffix.size() && key.ends_with(suffix) &&
                                             key[key.size() - suffix.size() - 1] == '.');
  return nameMatches && t.dim() == 4 && t.size(0) == 1 && t.size(1) == 1 && t.size(2) == t.size(3);
}

}  // namespace

LoadStateDictResult loadStateDict(torch::nn::Module& module, const NamedTensors& tensors,
                                  const std::string& sourceName,
                                  const std::function<void(const torch::Tensor&)>& afterCopy) {
  // Module keys in registration order: parameters then buffers (both recurse into children).
  std::vector<std::pair<std::string, torch::Tensor>> targets;
  std::map<std::string, std::size_t> targetIndex;
  for (const auto& item : module.named_parameters(/*recurse=*/true)) {
    targetIndex.emplace(item.key(), targets.size());
    targets.emplace_back(item.key(), item.value());
  }
  for (const auto& item : module.named_buffers(/*recurse=*/true)) {
    targetIndex.emplace(item.key(), targets.size());
    targets.emplace_back(item.key(), item.value());
  }

  std::vector<std::string> unexpected, mismatched, duplicated;
  std::vector<const torch::Tensor*> sources(targets.size(), nullptr);
  std::vector<bool> seen(targets.size(), false);
  LoadStateDictResult result;
  for (const auto& [rawKey, tensor] : tensors) {
    const std::string key = stripOrigModPrefix(rawKey);
    const auto it = targetIndex.find(key);
    if (it == targetIndex.end()) {
      if (tensor.defined() && isLegacyAttentionMask(key, tensor)) {
        result.ignoredLegacyKeys.push_back(key);
      } else {
        unexpected.push_back(key + (tensor.defined() ? " " + shapeToString(tensor.sizes()) : ""));
      }
      continue;
    }
    const std::size_t index = it->second;
    if (seen[index]) {
      duplicated.push_back(key);
      continue;
    }
    seen[index] = true;
    const torch::Tensor& target = targets[index].second;
    if (!tensor.defined()) {
      mismatched.push_back(key + ": found an undefined tensor, expected " + shapeToString(target.sizes()));
      continue;
    }
    if (tensor.sizes() != target.sizes()) {
      mismatched.push_back(key + ": found " + shapeToString(tensor.sizes()) + ", expected " +
                           shapeToString(target.sizes()));
      continue;
    }
    if (tensor.is_floating_point() != target.is_floating_point() ||
        tensor.is_complex() != target.is_complex()) {
      mismatched.push_back(key + ": found dtype " + std::string(c10::toString(tensor.scalar_type())) +
                           ", expected " + std::string(c10::toString(target.scalar_type())));
      continue;
    }
    sources[index] = &tensor;
  }
  std::vector<std::string> missing;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (!seen[i]) missing.push_back(targets[i].first + " " + shapeToString(targets[i].second.sizes()));
  }

  if (!missing.empty() || !unexpected.empty() || !mismatched.empty() || !duplicated.empty()) {
    std::ostringstream msg;
    msg << sourceName << ": state dict does not match the model (" << missing.size() << " missing, "
        << unexpected.size() << " unexpected, " << mismatched.size() << " mismatched";
    if (!duplicated.empty()) msg << ", " << duplicated.size() << " repeated";
    msg << ")";
    for (const auto& k : missing) msg << "\n  missing key: " << k;
    for (const auto& k : unexpected) msg << "\n  unexpected key: " << k;
    for (const auto& k : mismatched) msg << "\n  shape mismatch: " << k;
    for (const auto& k : duplicated) msg << "\n  repeated key: " << k;
    throw std::runtime_error(msg.str());
  }

  torch::NoGradGuard noGrad;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    targets[i].second.copy_(*sources[i]);  // also expands stride-0 views and converts dtype/device
    ++result.copied;
    if (afterCopy) afterCopy(*sources[i]);
  }
  return result;
}

LoadStateDictResult loadStateDictConsuming(torch::nn::Module& module, NamedTensors&& tensors,
                                           const std::string& sourceName) {
  NamedTensors owned = std::move(tensors);
  // The sources are elements of `owned` (non-const, owned here): dropping each handle after its copy is safe.
  const auto release = [](const torch::Tensor& source) { const_cast<torch::Tensor&>(source).reset(); };
  return loadStateDict(module, owned, sourceName, release);
}

}  // namespace neurolm
