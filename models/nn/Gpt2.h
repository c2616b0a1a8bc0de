#pragma once
// The GPT-2 language model as NeuroLM uses it (official model/model.py `GPT`, nanoGPT-derived), after the
// vocabulary surgery: wte 50304 rows, untied lm_head with 50304 text + 8192 EEG-code outputs.
#include <torch/torch.h>

#include "models/nn/Attention.h"
#include "models/nn/Block.h"
#include "models/nn/Primitives.h"

namespace neurolm::nn {

struct GptConfig {
  int64_t nLayer = 12;
  int64_t nHead = 12;
  int64_t nEmbd = 768;
  int64_t blockSize = 1024;    // wpe rows
  int64_t vocabSize = 50304;   // wte rows (0…50256 GPT-2, 50257 = [SEP], the rest unused)
  int64_t outputSize = 58496;  // lm_head rows: 50304 text + 8192 EEG codes
  bool bias = true;

  static GptConfig neuroLmB() { return {12, 12, 768}; }
  static GptConfig neuroLmL() { return {24, 16, 1024}; }
  static GptConfig neuroLmXL() { return {48, 25, 1600}; }
};

// Holds `transformer.wte`, `.wpe`, `.h.{i}`, `.ln_f` (the official ModuleDict).
class GptTransformerImpl : public torch::nn::Module {
 public:
  GptTransformerImpl(const GptConfig& config, const torch::TensorOptions& options = {});
  Embedding wte{nullptr};
  Embedding wpe{nullptr};
  torch::nn::ModuleList h{nullptr};
  LayerNorm ln_f{nullptr};
};
TORCH_MODULE(GptTransformer);

struct LmLoss {
  torch::Tensor loss;      // mean cross-entropy over targets != −1 (softmax over all outputs)
  torch::Tensor accuracy;  // fraction of those positions where argmax == target
  int64_t count = 0;       // number of scored positions
};

class GPTImpl : public torch::nn::Module {
 public:
  explicit GPTImpl(const GptConfig& config, const torch::TensorOptions& options = {});

  // Text token embeddings wte[ids] + wpe[positions]; ids, positions [B, L] -> [B, L, D].
  torch::Tensor embedText(const torch::Tensor& ids, const torch::Tensor& positions);
  // Blocks then ln_f: h [B, L, D] -> [B, L, D]. mask as scaledDotProductAttention ([B, 1, L, T + L] with a
  // cache of T entries; undefined = causal). With a cache the new keys/values are appended to it.
  torch::Tensor hidden(const torch::Tensor& h, const torch::Tensor& mask, KvCache* cache = nullptr);
  torch::Tensor logits(const torch::Tensor& hiddenStates) { return lm_head(hiddenStates); }  // [..., 58496]
  // Logits of the first `rows` outputs only, [..., rows]: generation needs the 50,257 GPT-2 text ids, and a
  // decode step then reads 86 % of lm_head instead of all of it.
  torch::Tensor leadingLogits(const torch::Tensor& hiddenStates, int64_t rows);
  // Text-only forward (official case 2): causal, positions 0…L−1.
  torch::Tensor textLogits(const torch::Tensor& ids);
  // A cache with room for `capacity` positions per layer (grows when exceeded).
  KvCache emptyCache(int64_t capacity = 0) const;

  const GptConfig& config() const { return config_; }

  GptTransformer transformer{nullptr};
  Linear lm_head{nullptr};

 private:
  GptConfig config_;
};
TORCH_MODULE(GPT);

// Official loss and accuracy: logits [B, L, V], targets [B, L] (−1 = ignore).
LmLoss languageModelLoss(const torch::Tensor& logits, const torch::Tensor& targets);

}  // namespace neurolm::nn
