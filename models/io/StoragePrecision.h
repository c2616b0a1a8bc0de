#pragma once
// Reduced-precision storage of our model files (safetensors). The precision applies to the large matrices
// only: every floating 2-D tensor with at least kReducedMinElements elements (linear weights, embeddings,
// the lm_head, a codebook); 1-D tensors (biases, norms), small and higher-rank tensors stay float32.
//   float32   as in memory
//   float16   / bfloat16: the matrix cast to that dtype (float16 refuses values beyond ±65504)
//   int8      per-output-row absmax quantisation: s = max|w_row| / 127 (float32), q = round(w / s) clamped
//             to ±127, stored as an I8 tensor `<name>` plus an F32 tensor `<name>.__scale__` of shape [rows];
//             ŵ = q · s, so |w − ŵ| ≤ s/2.
// The file's __metadata__["neurolm_storage_precision"] names the precision (absent: float32, as files written
// before it existed). Loading decodes to float32, so every model loader sees the same tensors either way.
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "models/io/StateDict.h"

namespace neurolm {

enum class StoragePrecision { Float32, Float16, BFloat16, Int8 };

inline constexpr std::string_view kStoragePrecisionKey = "neurolm_storage_precision";
inline constexpr std::string_view kScaleSuffix = ".__scale__";
inline constexpr int64_t kReducedMinElements = 4096;

std::string precisionName(StoragePrecision precision);  // "float32", "float16", "bfloat16", "int8"
// Throws std::invalid_argument naming the value and the accepted names.
StoragePrecision precisionFromName(const std::string& name);

// Whether `tensor` is stored in the reduced precision (floating, 2-D, >= kReducedMinElements elements).
bool isReducedInStorage(const torch::Tensor& tensor);
// Matrices that always stay float32, whatever the precision: NeuroLM's EEG input projection
// (`encode_transform_layer.0.weight`, 768 × D). Its input, the tokenizer's features, is dominated by
// per-position offsets ~100× larger than the EEG content, and a whitened projection cancels them exactly
// (models/train/InputInit.h); int8 rounding of it leaks those offsets into the LM input (measured on the
// embedded model: Workload validation balanced accuracy 0.690 -> 0.648). It is small (0.4 MB at D = 128).
bool keptInFloat32(std::string_view name);

// The tensors to write for `precision` (int8 adds a `<name>.__scale__` after each quantised matrix).
// Throws std::runtime_error starting with `where` for a name ending in ".__scale__", non-finite values in a
// reduced matrix, or float16 values beyond its range.
NamedTensors encodeForStorage(const NamedTensors& tensors, StoragePrecision precision,
                              const std::string& where);

// The precision a file's metadata records (float32 when absent). Throws naming `where` for an unknown name.
StoragePrecision storedPrecision(const std::map<std::string, std::string>& metadata,
                                 const std::string& where);

// Float32 tensors from stored ones: F16/BF16 widened, I8 + scale dequantised, F32 and non-floating tensors
// unchanged (views stay views). For int8 files it refuses, naming `where` and the tensor: an I8 matrix
// without its scale, a scale that is not F32/F16, not of shape [rows], negative or not finite, a scale
// without its I8 matrix; for other precisions any ".__scale__" tensor. `releaseSource` is called with each
// source tensor that was decoded into new memory (e.g. SafeTensorsFile::releasePages).
NamedTensors decodeStoredTensors(const NamedTensors& stored, StoragePrecision precision,
                                 const std::string& where,
                                 const std::function<void(const torch::Tensor&)>& releaseSource = {});

}  // namespace neurolm
