#pragma once
// The tokenizer's transformer (official model/model_neural_transformer.py `NeuralTransformer`): used as the
// encoder (TemporalConv patch embedding) and as the two decoders (linear patch embedding of the codes).
#include <torch/torch.h>

#include "models/nn/Block.h"
#include "models/nn/EegBatch.h"
#include "models/nn/Primitives.h"
#include "models/nn/TemporalConv.h"

namespace neurolm::nn {

// The official `NTConfig` fields that matter for the forward.
struct NeuralTransformerConfig {
  int64_t nLayer = 12;
  int64_t nHead = 12;
  int64_t nEmbd = 768;
  bool bias = false;
  int64_t inChans =
      1;  // 1: TemporalConv on 200-sample patches (needs nEmbd 768); otherwise Linear(inChans, nEmbd)
  int64_t channelEmbedRows = 256;  // pos_embed (spatial / channel embedding)
  int64_t timeEmbedRows = 64;      // time_embed (second index)

  static NeuralTransformerConfig officialEncoder();  // 12 / 12 / 768, in_chans 1
  static NeuralTransformerConfig officialDecoder();  // 4 / 12 / 768, in_chans 128 (the code dimension)
};

class NeuralTransformerImpl : public torch::nn::Module {
 public:
  explicit NeuralTransformerImpl(const NeuralTransformerConfig& config,
                                 const torch::TensorOptions& options = {});

  // x [B, L, inDim], inputChans/inputTime [B, L] (any integer dtype), inputMask [B, L] bool (key padding,
  // bidirectional) -> fc_norm output for every token [B, L, nEmbd].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& inputChans,
                        const torch::Tensor& inputTime, const torch::Tensor& inputMask);
  torch::Tensor forward(const EegBatch& batch) {
    return forward(batch.x, batch.inputChans, batch.inputTime, batch.inputMask);
  }
  // Spec §8.33 fast path (TemporalConv encoders only): the real tokens of ONE sample ([1, V, ·]) whose padded
  // length was paddedLength; equals rows 0…V−1 of forward() on the padded sample.
  torch::Tensor forwardRealTokens(const torch::Tensor& x, const torch::Tensor& inputChans,
                                  const torch::Tensor& inputTime, int64_t paddedLength);
  // The real tokens of padded samples (real tokens first, then padding) -> [B, V, nEmbd] = rows 0…V−1 of
  // forward(batch): the §8.33 shortcut for the TemporalConv encoder, forward + narrow otherwise. Throws when
  // a sample has no real token or a real token after padding, or the samples' real counts differ.
  torch::Tensor forwardRealOnly(const EegBatch& batch);

  const NeuralTransformerConfig& config() const { return config_; }

  TemporalConv temporalPatchEmbed{nullptr};  // registered as `patch_embed` when inChans == 1
  Linear linearPatchEmbed{nullptr};          // registered as `patch_embed` otherwise
  Embedding pos_embed{nullptr};
  Embedding time_embed{nullptr};
  torch::nn::ModuleList blocks{nullptr};
  LayerNorm fc_norm{nullptr};

 private:
  torch::Tensor embedAndRun(torch::Tensor h, const torch::Tensor& inputChans, const torch::Tensor& inputTime,
                            const torch::Tensor& attnMask);
  NeuralTransformerConfig config_;
};
TORCH_MODULE(NeuralTransformer);

}  // namespace neurolm::nn
