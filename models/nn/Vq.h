#pragma once
// The neural tokenizer (official model/model_vq.py `VQ`, `VQ_Align`).
#include <torch/torch.h>

#include "models/nn/EegBatch.h"
#include "models/nn/NeuralTransformer.h"
#include "models/nn/NormEmaQuantizer.h"
#include "models/nn/Primitives.h"

namespace neurolm::nn {

struct VqConfig {
  NeuralTransformerConfig encoder = NeuralTransformerConfig::officialEncoder();
  NeuralTransformerConfig decoder = NeuralTransformerConfig::officialDecoder();  // inChans forced to embedDim
  QuantizerConfig quantizer;
  int64_t decoderOutRaw = 200;   // raw-signal reconstruction width
  int64_t decoderOutFreq = 100;  // amplitude-spectrum reconstruction width (200 / 2)
  int64_t textVocab = 50257;     // VQ_Align.wte rows (GPT-2 small vocabulary)
  int64_t textEmbd = 768;        // VQ_Align.wte width
  // VQ_Align.domain_classifier input width: 0 = the decoder width (official); training sets the encoder
  // width, the width of the features and wte rows it is fed.
  int64_t domainClassifierWidth = 0;

  static VqConfig official() { return {}; }
};

struct VqEncoded {
  torch::Tensor features;        // [B, L, De] encoder fc_norm output (what NeuroLM consumes)
  torch::Tensor toQuantizer;     // [B, L, d] encode_task_layer output
  torch::Tensor z;               // [B, L, d] L2-normalised
  torch::Tensor codes;           // [B, L] int64
  torch::Tensor zq;              // [B, L, d] straight-through quantised vectors
  torch::Tensor commitmentLoss;  // scalar
};

struct VqDecoded {
  torch::Tensor freqFeatures;  // [B, L, Dd] decoder_freq fc_norm output
  torch::Tensor rawFeatures;   // [B, L, Dd] decoder_raw fc_norm output
  torch::Tensor recFreq;       // [B, L, 100]
  torch::Tensor recRaw;        // [B, L, 200]
};

struct VqLosses {
  torch::Tensor quant;    // commitment loss
  torch::Tensor recFreq;  // mean((recFreq·m − Y_freq)²) over B·L·100
  torch::Tensor recRaw;   // mean((recRaw·m − Y_raw)²) over B·L·200
  torch::Tensor total;
};

class VQImpl : public torch::nn::Module {
 public:
  explicit VQImpl(const VqConfig& config, const torch::TensorOptions& options = {});

  torch::Tensor encoderFeatures(const EegBatch& batch);
  VqEncoded encode(const EegBatch& batch);  // inference: no state change
  // encode() of ONE sample's real tokens only (encoder via the §8.33 shortcut): every field has V rows,
  // equal to rows 0…V−1 of encode(batch); commitmentLoss is over the real tokens.
  VqEncoded encodeRealTokens(const EegBatch& batch);
  torch::Tensor codebookIndices(const EegBatch& batch) { return encode(batch).codes; }  // [B, L]
  VqDecoded decode(const torch::Tensor& zq, const EegBatch& batch);
  // The losses of the official VQ.forward for targets Y_freq [B, L, 100], Y_raw [B, L, 200], computed
  // without the eval-mode cluster_size update of the official code (spec §8.17).
  VqLosses losses(const EegBatch& batch, const torch::Tensor& yFreq, const torch::Tensor& yRaw);
  // Training forward (official VQ.forward in train mode): k-means codebook initialisation at the first call
  // (seeded by `generator`), EMA codebook update when the module is in training mode. features = the encoder
  // features of the batch (input of the domain classifier).
  VqLosses trainForward(const EegBatch& batch, const torch::Tensor& yFreq, const torch::Tensor& yRaw,
                        torch::Generator generator, torch::Tensor* features = nullptr);

  const VqConfig& config() const { return config_; }

  NeuralTransformer encoder{nullptr};
  NeuralTransformer decoder_freq{nullptr};
  NeuralTransformer decoder_raw{nullptr};
  NormEMAVectorQuantizer quantize{nullptr};
  torch::nn::Sequential encode_task_layer{nullptr};       // Linear(De, De), Tanh, Linear(De, d)
  torch::nn::Sequential decode_task_layer_freq{nullptr};  // Linear(Dd, Dd), Tanh, Linear(Dd, 100)
  torch::nn::Sequential decode_task_layer_raw{nullptr};   // Linear(Dd, Dd), Tanh, Linear(Dd, 200)

 private:
  VqEncoded quantizeFeatures(const torch::Tensor& features);  // encode_task_layer + quantizer
  VqConfig config_;
};
TORCH_MODULE(VQ);

struct AlignLosses {
  VqLosses vq;
  torch::Tensor domainEeg;   // cross-entropy of the classifier on real EEG tokens, target 0 ("EEG")
  torch::Tensor domainText;  // cross-entropy on the detached wte rows of a text batch, target 1 ("text")
  torch::Tensor total;       // vq.total + domainEeg + domainText (official weights 1)
};

// Tokenizer-training root module: VQ + domain classifier (EEG vs text) + the frozen GPT-2 token embedding.
class VQAlignImpl : public torch::nn::Module {
 public:
  explicit VQAlignImpl(const VqConfig& config, const torch::TensorOptions& options = {});
  // Gradient-reversal (identity forward, gradient × −alpha) then domain_classifier. features [B, L, D] -> [B,
  // L, 2].
  torch::Tensor domainLogits(const torch::Tensor& features, double alpha);
  // One tokenizer training step's loss (spec §2.7): VQ losses + EEG domain loss through the gradient reversal
  // + text domain loss on wte(textIds) [Bt, Lt]. alpha = 2 / (1 + exp(−10·progress)) − 1 is the caller's.
  AlignLosses trainingLosses(const EegBatch& batch, const torch::Tensor& yFreq, const torch::Tensor& yRaw,
                             const torch::Tensor& textIds, double alpha, torch::Generator generator);

  VQ vq{nullptr};                                    // registered as `VQ`
  torch::nn::Sequential domain_classifier{nullptr};  // Linear(width, 256), GELU, Linear(256, 2)
  Embedding wte{nullptr};                            // [50257, 768], frozen
};
TORCH_MODULE(VQAlign);

}  // namespace neurolm::nn
