#pragma once
// NeuroLM (official model/model_neurolm.py): frozen tokenizer encoder -> continuous EEG embeddings, then a
// GPT-2 over [EEG tokens | text tokens] with the multi-channel "stair" mask.
#include <torch/torch.h>

#include "models/nn/EegBatch.h"
#include "models/nn/Gpt2.h"
#include "models/nn/NeuralTransformer.h"
#include "models/nn/Primitives.h"

namespace neurolm::nn {

// Where the text positions start (spec §8.10): t0 + 1 with t0 = the sample's own last second (engine
// default) or the maximum second of the whole batch tensor (the official code; only differs in mixed
// batches).
enum class TextPositions { PerSample, BatchMax };

struct NeuroLmConfig {
  GptConfig gpt = GptConfig::neuroLmB();
  NeuralTransformerConfig tokenizer = NeuralTransformerConfig::officialEncoder();
  int64_t channelEmbedRows = 256;  // pos_embed rows
  TextPositions textPositions = TextPositions::PerSample;

  static NeuroLmConfig B() { return {GptConfig::neuroLmB()}; }
  static NeuroLmConfig L() { return {GptConfig::neuroLmL()}; }
  static NeuroLmConfig XL() { return {GptConfig::neuroLmXL()}; }
};

struct NeuroLmOutput {
  torch::Tensor hidden;    // [B, M, D] ln_f output
  torch::Tensor logits;    // [B, M, 58496] with targets, [B, 1, 58496] (last position) without
  torch::Tensor loss;      // with targets only
  torch::Tensor accuracy;  // with targets only
};

class NeuroLMImpl : public torch::nn::Module {
 public:
  explicit NeuroLMImpl(const NeuroLmConfig& config, const torch::TensorOptions& options = {});

  // E = encode_transform_layer(tokenizer(x)) + pos_embed[input_chans]: [B, Le, D] (before wpe).
  torch::Tensor eegEmbedding(const EegBatch& eeg);
  // Spec §8.33 fast path: E of the real tokens only [B, V, D], equal to eegEmbedding rows 0…V−1 of the same
  // samples padded to eeg.paddedLength() (every sample with the same V).
  torch::Tensor eegEmbeddingRealTokens(const EegBatch& eeg);
  // t0 + 1 per sample: [B] int64.
  torch::Tensor textStart(const torch::Tensor& inputTime) const;
  // [E + wpe[input_time] | wte[ids] + wpe[textStart + k]]: [B, Le + Lt, D]. Checks wpe limits.
  torch::Tensor inputSequence(const torch::Tensor& eegEmbedding, const torch::Tensor& inputTime,
                              const torch::Tensor& textIds, const torch::Tensor& textStartPositions);

  // EEG + text forward (official case 3). gptMask [B, 1, M, M] (bool; undefined: built with eegTextMask).
  // Without targets only the last position is projected. targets [B, M] (EEG part then text part, −1 ignore).
  NeuroLmOutput forward(const EegBatch& eeg, const torch::Tensor& textIds, const torch::Tensor& gptMask,
                        const torch::Tensor& targets = {});
  // EEG-only forward (pre-training, official case 1) with EEG-code targets yEeg [B, Le] (code or −1).
  NeuroLmOutput forwardEeg(const EegBatch& eeg, const torch::Tensor& gptMask, const torch::Tensor& yEeg = {});

  const NeuroLmConfig& config() const { return config_; }
  bool hasTransformLayer() const { return !encode_transform_layer.is_empty(); }

  GPT GPT2{nullptr};
  NeuralTransformer tokenizer{nullptr};
  Embedding pos_embed{nullptr};
  torch::nn::Sequential encode_transform_layer{nullptr};  // Linear(768, D), GELU — only when D != 768

 private:
  torch::Tensor transformFeatures(const torch::Tensor& features, const torch::Tensor& inputChans);
  NeuroLmConfig config_;
};
TORCH_MODULE(NeuroLM);

// First EEG-code output index of lm_head (50304): code c is output 50304 + c.
constexpr int64_t kEegCodeOffset = 50304;
// GPT-2's last text id (<|endoftext|>); generation picks among 0…kLastGpt2Id.
constexpr int64_t kLastGpt2Id = 50256;
constexpr int64_t kSepId = 50257;

}  // namespace neurolm::nn
