#pragma once
// The project's own weight format: standard safetensors (https://github.com/huggingface/safetensors):
//   [u64 little-endian N][N bytes of JSON header][raw tensor bytes]
// The header maps each tensor name to {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]} (offsets
// relative to the first byte after the header) and may hold "__metadata__", a map of string to string.
// The model configuration travels as JSON text in __metadata__["neurolm_config"], so one file is
// self-describing. Files written here: tensors in the given order, contiguous and C-ordered, the header
// padded with spaces so that the data start is 8-byte aligned, no `_orig_mod.` prefixes; written atomically
// (temp file, fsync, rename).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "models/io/StateDict.h"

namespace neurolm {

inline constexpr std::string_view kNeurolmConfigKey = "neurolm_config";

struct SafeTensorsFile {
  NamedTensors tensors;  // in data-offset order (= written order for our files), on the CPU
  std::map<std::string, std::string> metadata;

  // __metadata__["neurolm_config"] parsed as JSON; null when absent. Throws std::runtime_error if not JSON.
  nlohmann::json config() const;
  // Map mode: gives the file pages under a tensor of `tensors` back to the kernel once it has been copied
  // elsewhere (the pages are re-read from the file if the tensor is used again), so that loading a model
  // does not hold the file's pages and the model's weights at the same time. No-op for other tensors and in
  // Copy mode.
  std::function<void(const torch::Tensor&)> releasePages = [](const torch::Tensor&) {};
};

enum class SafeTensorsLoad {
  Map,   // tensors view a private (copy-on-write) memory map of the file; the map lives as long as any tensor
         // (the file must not be truncated in place while mapped; replacing it by rename, as our writer does,
         // is safe)
  Copy,  // tensors own their memory; the file is closed on return
};

// Writes `tensors` (any device, layout or view; dtypes bool, uint8, int8/16/32/64, float16, bfloat16,
// float32/64) and `metadata`. Refuses empty or repeated names, the name "__metadata__", undefined tensors and
// other dtypes before touching the target. Throws std::runtime_error naming the file.
void writeSafeTensors(const std::filesystem::path& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// The size in bytes of the file writeSafeTensors(path, tensors, metadata) writes (same checks; writes nothing).
std::uint64_t safeTensorsFileBytes(const NamedTensors& tensors,
                                   const std::map<std::string, std::string>& metadata = {});

// Same, with `config` stored as __metadata__["neurolm_config"] (compact JSON) next to `metadata`.
void writeSafeTensors(const std::filesystem::path& path, const NamedTensors& tensors,
                      const nlohmann::json& config, std::map<std::string, std::string> metadata);

// Reads and validates a safetensors file: header length within the file (and <= 100 MB), JSON header, known
// dtypes, non-negative shapes, data_offsets that match each shape's byte size and tile the data section
// exactly (no gaps, no overlaps, nothing beyond the end), string-only metadata. Errors: std::runtime_error
// starting with the path and naming the tensor/field, the value found and what was expected.
SafeTensorsFile readSafeTensors(const std::filesystem::path& path,
                                SafeTensorsLoad mode = SafeTensorsLoad::Map);

}  // namespace neurolm
