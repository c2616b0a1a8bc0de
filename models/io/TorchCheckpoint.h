#pragma once
// Reading official NeuroLM / tokenizer checkpoints (`torch.save` of a dict; zip container, pickle protocol 2)
// without Python: the zip is opened with caffe2's PyTorchStreamReader, `data.pkl` is parsed by our restricted
// unpickler (models/io/RestrictedUnpickler.h: an allow-list of globals, nothing is executed), and tensors are
// rebuilt from the `data/<key>` records with their storage offset, sizes and strides (views such as the
// stride-(0,1) `wte.weight` of the parity files stay views of the stored data).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "models/io/StateDict.h"

namespace neurolm {

struct TorchCheckpoint {
  std::filesystem::path path;
  // The `model` state dict in file order, `_orig_mod.` stripped, on the CPU, dtypes as stored.
  // Tensors may be non-contiguous views and several may share one storage (as torch.load returns them).
  NamedTensors modelTensors;
  bool hadOrigModPrefix = false;  // at least one key carried `_orig_mod.`
  // Plain-data entries converted to JSON (null when the file has no such key): tuples become arrays,
  // None null; a non-string dict key becomes its decimal text.
  nlohmann::json
      modelArgs;  // NeuroLM files: {n_layer, n_head, n_embd, block_size, bias, vocab_size, dropout}
  nlohmann::json encoderArgs;  // tokenizer files
  nlohmann::json decoderArgs;  // tokenizer files
  std::optional<std::int64_t> iterNum;
  std::optional<std::int64_t> epoch;
  bool hadOptimizer =
      false;  // an `optimizer` entry was present (parsed for validity, its tensors not loaded)
  std::vector<std::string> otherKeys;  // further top-level keys, in file order (not interpreted)
};

// Reads a checkpoint written by torch.save (PyTorch >= 1.6 zip format). The top level must be a dict holding
// `model` (an OrderedDict / dict of tensors); a file that is itself a bare state dict (every value a tensor)
// is accepted too and read as `model`. `optimizer` may be absent. Every failure - missing file, not a zip,
// legacy (pre-1.6) format, truncated or malformed zip or pickle, a global outside the allow-list, a tensor
// view outside its storage, a storage record of the wrong size, big-endian data - throws std::runtime_error
// whose message starts with the path and says what is wrong. No partial result is ever returned.
TorchCheckpoint readTorchCheckpoint(const std::filesystem::path& path);

}  // namespace neurolm
