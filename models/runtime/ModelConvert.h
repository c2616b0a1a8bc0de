#pragma once
// `neurolm convert` without torch in the caller: rewrites one of our model files (tokenizer or NeuroLM) in
// another storage precision (models/io/StoragePrecision.h), every other metadata entry (configuration,
// tasks) carried over unchanged.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace neurolm::runtime {

struct ConvertOptions {
  std::filesystem::path in, out;  // our safetensors files; `out` may equal `in` (atomic replacement)
  std::string precision;          // "float32", "float16", "bfloat16" or "int8"
};

// What storing the input's weights in one precision gives: file size and the largest |w − ŵ| between the
// weights as loaded from the input and as they would load from that file, over every tensor.
struct PrecisionOutcome {
  std::string precision;
  uint64_t bytes = 0;
  double maxAbsError = 0;
  std::string worstTensor;  // where maxAbsError occurs (empty when 0)
};

struct ConvertReport {
  std::string kind;         // "vq" or "neurolm"
  std::string precisionIn;  // what the input file records
  uint64_t bytesIn = 0;
  int reducedTensors = 0;                  // matrices stored in the reduced precision
  PrecisionOutcome written;                // the output file (bytes as on disk)
  std::vector<PrecisionOutcome> outcomes;  // all four precisions, for comparison
};

// Loads the input as the engine would (so a bad file is refused with the loader's message), writes the
// output atomically and loads it back. Throws std::invalid_argument for an unknown precision,
// std::runtime_error naming the file otherwise (an official torch.save checkpoint included).
ConvertReport convertModelFile(const ConvertOptions& options);

}  // namespace neurolm::runtime
