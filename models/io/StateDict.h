#pragma once
// State dicts: named tensors as they come from a checkpoint, and a strict loader into a torch::nn::Module.
#include <torch/torch.h>

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace neurolm {

// Named tensors in file order (the official state-dict order when read from an official checkpoint).
using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// The prefix torch.compile's wrapper adds to every key (official checkpoints always carry it).
inline constexpr std::string_view kOrigModPrefix = "_orig_mod.";

// `key` without a leading "_orig_mod." (unchanged when absent).
std::string stripOrigModPrefix(std::string_view key);

// The entries whose key starts with `prefix`, with the prefix removed, in order
// (e.g. selectPrefix(vq.modelTensors, "VQ.encoder.") for the tokenizer encoder).
NamedTensors selectPrefix(const NamedTensors& tensors, std::string_view prefix);

struct LoadStateDictResult {
  std::size_t copied = 0;                      // parameters + buffers filled
  std::vector<std::string> ignoredLegacyKeys;  // `...attn.bias` causal-mask buffers of PyTorch < 2 files
};

// Copies `tensors` into the parameters and buffers of `module` (under NoGradGuard, converting dtype/device to
// the module's). Keys are matched after stripping "_orig_mod.". Strict: every module key must be present with
// the same shape, and no other key may appear, except `<...>.attn.bias` tensors of shape [1, 1, n, n] that
// the module does not have (the causal-mask buffers nanoGPT registered under PyTorch < 2), which are ignored.
// On any problem nothing is copied and ONE std::runtime_error lists, for `sourceName`, every missing key,
// every unexpected key and every shape mismatch (key, shape found, shape expected).
// `afterCopy` (optional) is called with each source tensor once it has been copied (e.g. to release the file
// pages under it: SafeTensorsFile::releasePages).
LoadStateDictResult loadStateDict(torch::nn::Module& module, const NamedTensors& tensors,
                                  const std::string& sourceName = "state dict",
                                  const std::function<void(const torch::Tensor&)>& afterCopy = {});

// The same, consuming `tensors`: each source tensor is released right after its copy, so that loading holds
// the model and one source tensor at a time instead of the model and the whole checkpoint (sources sharing a
// storage free it with the last of them). `tensors` is left empty.
LoadStateDictResult loadStateDictConsuming(torch::nn::Module& module, NamedTensors&& tensors,
                                           const std::string& sourceName = "state dict");

// "[1, 2, 3]"
std::string shapeToString(c10::IntArrayRef shape);

}  // namespace neurolm
