#pragma once
// Model configurations from what official checkpoints carry (spec §6.1, §8.3, §8.15): `encoder_args` /
// `decoder_args` (tokenizer files) and `model_args` (NeuroLM files), plus what only the tensors tell.
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

#include "models/nn/NeuroLm.h"
#include "models/nn/Vq.h"

namespace neurolm::nn {

using NamedTensorList = std::vector<std::pair<std::string, torch::Tensor>>;

// Official NTConfig fields n_layer, n_head, n_embd, bias, in_chans. Throws naming the missing/invalid field.
NeuralTransformerConfig transformerConfigFromArgs(const nlohmann::json& args, const std::string& what);
VqConfig vqConfigFromArgs(const nlohmann::json& encoderArgs, const nlohmann::json& decoderArgs);
// model_args {n_layer, n_head, n_embd, block_size, bias, vocab_size}; lm_head stays vocab + 8192 codes.
GptConfig gptConfigFromArgs(const nlohmann::json& modelArgs);

// NeuroLM files hold no tokenizer config: its depth comes from the `tokenizer.blocks.<i>.` keys, its width
// from `tokenizer.fc_norm.weight`, its bias from `tokenizer.blocks.0.ln_1.bias`; heads cannot be seen in
// shapes and are the official 12 (spec §8.15). `encode_transform_layer` follows from the widths.
NeuroLmConfig neuroLmConfigFromCheckpoint(const nlohmann::json& modelArgs, const NamedTensorList& tensors);

// Number of `<prefix><i>.` blocks among the keys (e.g. prefix "VQ.encoder.blocks.").
int64_t countBlocks(const NamedTensorList& tensors, const std::string& prefix);

}  // namespace neurolm::nn
