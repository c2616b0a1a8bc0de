// NeuroLM: tokenizer features -> GPT-2 with the stair mask.
#include <stdexcept>
#include <string>

#include "models/nn/NeuroLm.h"

namespace neurolm::nn {

NeuroLMImpl::NeuroLMImpl(const NeuroLmConfig& config, const torch::TensorOptions& options) : config_(config) {
  const int64_t d = config.gpt.nEmbd;
  // Registration order = the official state-dict order: GPT2, tokenizer, pos_embed, encode_transform_layer.
  GPT2 = register_module("GPT2", GPT(config.gpt, options));
  tokenizer = register_module("tokenizer", NeuralTransformer(config.tokenizer, options));
  for (auto& p : tokenizer->parameters()) p.set_requires_grad(false);  // frozen in every stage
  pos_embed = register_module("pos_embed", Embedding(config.channelEmbedRows, d, 1.0, options));
  if (config.tokenizer.nEmbd != d)
    encode_transform_layer = register_module(
        "encode_transform_layer",
        torch::nn::Sequential(Linear(config.tokenizer.nEmbd, d, true, options), Gelu()));
}

torch::Tensor NeuroLMImpl::transformFeatures(const torch::Tensor& features, const torch::Tensor& inputChans) {
  const auto f = hasTransformLayer() ? encode_transform_layer->forward(features) : features;  // [B, Le, D]
  return f + pos_embed(inputChans);
}

torch::Tensor NeuroLMImpl::eegEmbedding(const EegBatch& eeg) {
  return transformFeatures(tokenizer->forward(eeg), eeg.inputChans);
}

torch::Tensor NeuroLMImpl::eegEmbeddingRealTokens(const EegBatch& eeg) {
  const auto features = tokenizer->forwardRealOnly(eeg);  // [B, V, De]
  return transformFeatures(features, eeg.inputChans.narrow(1, 0, features.size(1)));  // [B, V, D]
}

torch::Tensor NeuroLMImpl::textStart(const torch::Tensor& inputTime) const {
  const auto t = inputTime.to(torch::kLong);
  if (config_.textPositions == TextPositions::BatchMax)
    return torch::full({t.size(0)}, t.max().item<int64_t>() + 1, t.options());
  return t.amax(1) + 1;  // [B]
}

torch::Tensor NeuroLMImpl::inputSequence(const torch::Tensor& eegEmbedding, const torch::Tensor& inputTime,
                                         const torch::Tensor& textIds,
                                         const torch::Tensor& textStartPositions) {
  const int64_t blockSize = config_.gpt.blockSize;
  const auto time = inputTime.to(torch::kLong);
  if (time.numel() > 0 && time.max().item<int64_t>() >= blockSize)
    throw std::out_of_range("NeuroLM: EEG second index " + std::to_string(time.max().item<int64_t>()) +
                            " needs more than the model's " + std::to_string(blockSize) + " positions (wpe)");
  auto eegPart = eegEmbedding + GPT2->transformer->wpe(time);  // [B, Le, D]
  if (!textIds.defined() || textIds.size(1) == 0) return eegPart;
  const int64_t lt = textIds.size(1);
  const auto positions = textStartPositions.to(torch::kLong).unsqueeze(1) +
                         torch::arange(lt, time.options()).unsqueeze(0);  // [B, Lt]
  const int64_t last = positions.max().item<int64_t>();
  if (last >= blockSize)
    throw std::out_of_range("NeuroLM: EEG seconds + text tokens need position " + std::to_string(last) +
                            ", the model has " + std::to_string(blockSize) + " positions (wpe)");
  const auto textPart = GPT2->embedText(textIds.to(torch::kLong), positions);  // [B, Lt, D]
  return torch::cat({eegPart, textPart}, 1);                                   // [B, Le + Lt, D]
}

namespace {
void checkTextIds(const torch::Tensor& ids, int64_t batch, int64_t vocab) {
  if (!ids.defined() || ids.dim() != 2 || ids.size(0) != batch)
    throw std::invalid_argument("NeuroLM: text ids must be [B, Lt] with B = " + std::to_string(batch));
  if (ids.numel() > 0 && (ids.min().item<int64_t>() < 0 || ids.max().item<int64_t>() >= vocab))
    throw std::out_of_range("NeuroLM: text ids must lie in [0, " + std::to_string(vocab) + "), found [" +
                            std::to_string(ids.min().item<int64_t>()) + ", " +
                            std::to_string(ids.max().item<int64_t>()) + "]");
}
void checkSquare(const torch::Tensor& t, int64_t batch, int64_t m, const char* what) {
  if (t.defined() && (t.dim() != 4 || (t.size(0) != batch && t.size(0) != 1) || t.size(1) != 1 ||
                      t.size(2) != m || t.size(3) != m))
    throw std::invalid_argument(std::string("NeuroLM: ") + what +
                                " must be [B, 1, M, M] with M = " + std::to_string(m));
}
}  // namespace

NeuroLmOutput NeuroLMImpl::forward(const EegBatch& eeg, const torch::Tensor& textIds,
                                   const torch::Tensor& gptMask, const torch::Tensor& targets) {
  checkTextIds(textIds, eeg.batchSize(), config_.gpt.vocabSize);
  const int64_t lt = textIds.size(1);
  const int64_t m = eeg.paddedLength() + lt;
  checkSquare(gptMask, eeg.batchSize(), m, "the EEG-text mask");
  if (targets.defined() && (targets.dim() != 2 || targets.size(0) != eeg.batchSize() || targets.size(1) != m))
    throw std::invalid_argument("NeuroLM: targets must be [B, M] with M = " + std::to_string(m));
  const auto e = eegEmbedding(eeg);
  const auto h0 = inputSequence(e, eeg.inputTime, textIds, textStart(eeg.inputTime));
  const auto mask = gptMask.defined() ? gptMask : eegTextMask(eeg.inputTime, eeg.inputMask, lt);
  NeuroLmOutput out;
  out.hidden = GPT2->hidden(h0, mask, nullptr);  // [B, M, D]
  if (targets.defined()) {
    out.logits = GPT2->logits(out.hidden);
    auto l = languageModelLoss(out.logits, targets);
    out.loss = l.loss;
    out.accuracy = l.accuracy;
  } else {
    out.logits = GPT2->logits(out.hidden.narrow(1, out.hidden.size(1) - 1, 1));  // [B, 1, V]
  }
  return out;
}

NeuroLmOutput NeuroLMImpl::forwardEeg(const EegBatch& eeg, const torch::Tensor& gptMask,
                                      const torch::Tensor& yEeg) {
  checkSquare(gptMask, eeg.batchSize(), eeg.paddedLength(), "the pre-training mask");
  if (yEeg.defined() && yEeg.sizes() != eeg.inputMask.sizes())
    throw std::invalid_argument("NeuroLM: EEG targets must be [B, Le] like input_mask");
  const auto h0 = inputSequence(eegEmbedding(eeg), eeg.inputTime, torch::Tensor(), torch::Tensor());
  const auto mask = gptMask.defined() ? gptMask : eegTextMask(eeg.inputTime, eeg.inputMask, 0);
  NeuroLmOutput out;
  out.hidden = GPT2->hidden(h0, mask, nullptr);
  if (yEeg.defined()) {
    out.logits = GPT2->logits(out.hidden);
    const auto y = yEeg.to(torch::kLong);
    auto l = languageModelLoss(out.logits, torch::where(y >= 0, y + kEegCodeOffset, torch::full_like(y, -1)));
    out.loss = l.loss;
    out.accuracy = l.accuracy;
  } else {
    out.logits = GPT2->logits(out.hidden.narrow(1, out.hidden.size(1) - 1, 1));
  }
  return out;
}

}  // namespace neurolm::nn

// ---------------------------------------------------------------------------------- configs from checkpoints
#include <set>

#include "models/nn/Configs.h"

namespace neurolm::nn {

namespace {
int64_t intField(const nlohmann::json& args, const char* field, const std::string& what) {
  if (!args.is_object() || !args.contains(field) || !args[field].is_number_integer())
    throw std::invalid_argument(what + ": integer field '" + field + "' missing or not an integer");
  return args[field].get<int64_t>();
}
bool boolField(const nlohmann::json& args, const char* field, const std::string& what) {
  if (!args.is_object() || !args.contains(field) || !args[field].is_boolean())
    throw std::invalid_argument(what + ": boolean field '" + field + "' missing or not a boolean");
  return args[field].get<bool>();
}
}  // namespace

NeuralTransformerConfig transformerConfigFromArgs(const nlohmann::json& args, const std::string& what) {
  NeuralTransformerConfig c;
  c.nLayer = intField(args, "n_layer", what);
  c.nHead = intField(args, "n_head", what);
  c.nEmbd = intField(args, "n_embd", what);
  c.bias = boolField(args, "bias", what);
  c.inChans = intField(args, "in_chans", what);
  return c;
}

VqConfig vqConfigFromArgs(const nlohmann::json& encoderArgs, const nlohmann::json& decoderArgs) {
  VqConfig c;
  c.encoder = transformerConfigFromArgs(encoderArgs, "encoder_args");
  c.decoder = transformerConfigFromArgs(decoderArgs, "decoder_args");
  return c;
}

GptConfig gptConfigFromArgs(const nlohmann::json& modelArgs) {
  GptConfig c;
  c.nLayer = intField(modelArgs, "n_layer", "model_args");
  c.nHead = intField(modelArgs, "n_head", "model_args");
  c.nEmbd = intField(modelArgs, "n_embd", "model_args");
  c.blockSize = intField(modelArgs, "block_size", "model_args");
  c.vocabSize = intField(modelArgs, "vocab_size", "model_args");
  c.bias = boolField(modelArgs, "bias", "model_args");
  c.outputSize = c.vocabSize + 8192;
  return c;
}

int64_t countBlocks(const NamedTensorList& tensors, const std::string& prefix) {
  std::set<int64_t> indices;
  for (const auto& [name, tensor] : tensors) {
    if (name.rfind(prefix, 0) != 0) continue;
    const auto rest = name.substr(prefix.size());
    const auto dot = rest.find('.');
    indices.insert(std::stoll(rest.substr(0, dot)));
  }
  const int64_t n = static_cast<int64_t>(indices.size());
  if (n > 0 && *indices.rbegin() != n - 1)
    throw std::invalid_argument("checkpoint: blocks under '" + prefix + "' are not numbered 0…" +
                                std::to_string(n - 1));
  return n;
}

NeuroLmConfig neuroLmConfigFromCheckpoint(const nlohmann::json& modelArgs, const NamedTensorList& tensors) {
  NeuroLmConfig c;
  c.gpt = gptConfigFromArgs(modelArgs);
  c.tokenizer = NeuralTransformerConfig::officialEncoder();
  c.tokenizer.nLayer = countBlocks(tensors, "tokenizer.blocks.");
  bool hasBias = false;
  for (const auto& [name, tensor] : tensors) {
    if (name == "tokenizer.fc_norm.weight") c.tokenizer.nEmbd = tensor.size(0);
    if (name == "tokenizer.blocks.0.ln_1.bias") hasBias = true;
  }
  c.tokenizer.bias = hasBias;
  return c;
}

}  // namespace neurolm::nn
