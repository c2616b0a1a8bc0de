#pragma once
// Loading and saving the two model kinds the engine runs: the neural tokenizer (official VQ_Align .pt or our
// safetensors) and NeuroLM (official train_pretrain/train_instruction .pt or our safetensors). The format is
// detected from the file's content, never from its name; configurations come from the official checkpoint's
// `encoder_args`/`decoder_args`/`model_args` (+ what only tensor shapes tell) or from our JSON metadata;
// every tensor is verified by name and shape (loadStateDict). Errors start with the path.
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

#include "models/io/StoragePrecision.h"
#include "models/nn/NeuroLm.h"
#include "models/nn/Vq.h"

namespace neurolm::runtime {

enum class ModelKind { Tokenizer, NeuroLm };
enum class ModelFormat { OfficialTorch, SafeTensors };

std::string kindName(ModelKind kind);        // "vq" / "neurolm" (as in our files' config "kind")
std::string formatName(ModelFormat format);  // "official torch.save" / "safetensors"

// From the first bytes: a zip (torch.save) or a safetensors header. Throws naming the path otherwise.
ModelFormat detectFormat(const std::filesystem::path& path);

struct ModelFileInfo {
  ModelFormat format = ModelFormat::OfficialTorch;
  ModelKind kind = ModelKind::Tokenizer;
};
// Format and kind (official: encoder_args => tokenizer, model_args => NeuroLM; ours: config "kind").
ModelFileInfo inspectModelFile(const std::filesystem::path& path);

struct LoadedTokenizer {
  nn::VQ vq{nullptr};  // eval mode, CPU
  std::filesystem::path path;
  ModelFormat format = ModelFormat::OfficialTorch;
  // The longest window (seconds) of the tokenizer's training data, from our files' metadata
  // (kTrainedWindowSecKey); 0 when the file does not say (official checkpoints, older files). Its time
  // embedding was trained for seconds 0 … trainedWindowSec − 1 only.
  int trainedWindowSec = 0;
};
inline constexpr const char* kTrainedWindowSecKey = "neurolm_trained_window_sec";
// A question a NeuroLM was instruction-tuned on: the prompt (e.g. "Question: Is this EEG segment of high
// workload? Answer:") and its answer options (" No", " Yes"), named after the dataset it was tuned on.
// Stored in our NeuroLM files as __metadata__["neurolm_tasks"] (a JSON array); official files have none.
struct ModelTask {
  std::string name, prompt, description;
  std::vector<std::string> options;
  // Option probabilities are softmax(log-probabilities / temperature): 1 = uncalibrated; the eval stage's
  // "calibrate" fits it on held-out training subjects.
  double temperature = 1.0;
  bool operator==(const ModelTask&) const = default;
};
nlohmann::json tasksToJson(const std::vector<ModelTask>& tasks);
// Throws std::runtime_error naming `what` and the entry when the JSON is not an array of such tasks.
std::vector<ModelTask> tasksFromJson(const nlohmann::json& j, const std::string& what);

struct LoadedNeuroLm {
  nn::NeuroLM model{nullptr};  // eval mode, CPU
  std::filesystem::path path;
  ModelFormat format = ModelFormat::OfficialTorch;
  std::vector<ModelTask> tasks;  // what it was tuned to answer (empty: none recorded)
};

// Official tokenizer files are loaded into a full VQ_Align (so that every one of their tensors is checked);
// the VQ part is kept. Throws std::runtime_error naming the path and, for a NeuroLM file, saying so.
LoadedTokenizer loadTokenizer(const std::filesystem::path& path);
LoadedNeuroLm loadNeuroLm(const std::filesystem::path& path);

// Our format (atomic write). Tokenizer files hold the inference part `VQ` only (no domain classifier, no
// frozen GPT-2 wte): keys `encoder.*`, `decoder_freq.*`, `decoder_raw.*`, `quantize.*`, `*_task_layer*`.
// NeuroLM files hold the whole NeuroLM state dict (`GPT2.*`, `tokenizer.*`, `pos_embed.*`, …).
// `precision`: how the large matrices are stored (StoragePrecision.h; recorded in the metadata); loading
// decodes any precision back to float32.
// `trainedWindowSec` > 0 is recorded as kTrainedWindowSecKey (the trainer's vq stage passes its longest
// training window).
void saveTokenizer(nn::VQImpl& vq, const std::filesystem::path& path,
                   StoragePrecision precision = StoragePrecision::Float32, int trainedWindowSec = 0);
void saveNeuroLm(nn::NeuroLMImpl& model, const std::filesystem::path& path,
                 const std::vector<ModelTask>& tasks = {},
                 StoragePrecision precision = StoragePrecision::Float32);

// The JSON configurations of our files (field names as the official NTConfig/GPTConfig: n_layer, n_head, …).
nlohmann::json vqConfigToJson(const nn::VqConfig& config);
nn::VqConfig vqConfigFromJson(const nlohmann::json& json, const std::string& what);
nlohmann::json neuroLmConfigToJson(const nn::NeuroLmConfig& config);
nn::NeuroLmConfig neuroLmConfigFromJson(const nlohmann::json& json, const std::string& what);

// Model sizes for `neurolm init`. "tiny": tokenizer encoder 2 layers × 12 heads × 768 (768 is fixed by
// TemporalConv's Linear(400, 768)), decoders 2 × 2 × 32, codebook 8192 × 128; GPT-2 2 layers × 2 heads × 64.
// "B": the official sizes (tokenizer 12 × 12 × 768 / decoders 4 × 12 × 768, GPT-2 12 × 12 × 768).
nn::VqConfig vqConfigForSize(const std::string& size);
nn::NeuroLmConfig neuroLmConfigForSize(const std::string& size);

// Randomly initialised models (seeded; official initialisers). The tokenizer's codebook is set to seeded
// L2-normalised Gaussian rows and marked initialised, so that it can encode without a k-means pass.
nn::VQ randomTokenizer(const nn::VqConfig& config, uint64_t seed);
nn::NeuroLM randomNeuroLm(const nn::NeuroLmConfig& config, uint64_t seed);

int64_t parameterCount(torch::nn::Module& module);

}  // namespace neurolm::runtime
