// GPT-2 (official model/model.py `GPT`, as used by NeuroLM).
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "models/nn/CpuKernels.h"
#include "models/nn/Gpt2.h"

namespace neurolm::nn {

GptTransformerImpl::GptTransformerImpl(const GptConfig& config, const torch::TensorOptions& options) {
  // Official from-scratch init (a placeholder before loading a checkpoint): N(0, 0.02) everywhere,
  // residual projections N(0, 0.02 / sqrt(2·n_layer)).
  wte = register_module("wte", Embedding(config.vocabSize, config.nEmbd, 0.02, options));
  wpe = register_module("wpe", Embedding(config.blockSize, config.nEmbd, 0.02, options));
  h = register_module("h", torch::nn::ModuleList());
  const BlockConfig blockConfig{config.nEmbd, config.nHead, config.bias, 1e-5};
  for (int64_t i = 0; i < config.nLayer; ++i) {
    Block block(blockConfig, options);
    if (!skipsInit(options)) {
      torch::NoGradGuard noGrad;
      const double s = 0.02 / std::sqrt(2.0 * static_cast<double>(config.nLayer));
      block->attn->c_proj->weight.normal_(0.0, s);
      block->mlp->c_proj->weight.normal_(0.0, s);
    }
    h->push_back(block);
  }
  ln_f = register_module("ln_f", LayerNorm(config.nEmbd, config.bias, 1e-5, options));
}

GPTImpl::GPTImpl(const GptConfig& config, const torch::TensorOptions& options) : config_(config) {
  transformer = register_module("transformer", GptTransformer(config, options));
  lm_head = register_module("lm_head", Linear(config.nEmbd, config.outputSize, false, options));  // untied
}

torch::Tensor GPTImpl::embedText(const torch::Tensor& ids, const torch::Tensor& positions) {
  return transformer->wte(ids) + transformer->wpe(positions);
}

torch::Tensor GPTImpl::hidden(const torch::Tensor& h0, const torch::Tensor& mask, KvCache* cache) {
  if (cache != nullptr && cache->layers.size() != transformer->h->size())
    throw std::invalid_argument("GPT: KV cache has " + std::to_string(cache->layers.size()) +
                                " layers, model " + std::to_string(transformer->h->size()));
  auto h = h0;
  for (size_t i = 0; i < transformer->h->size(); ++i)
    h = transformer->h->ptr(i)->as<BlockImpl>()->forward(h, mask,
                                                         cache != nullptr ? &cache->layers[i] : nullptr);
  return transformer->ln_f(h);
}

torch::Tensor GPTImpl::textLogits(const torch::Tensor& ids) {
  const int64_t len = ids.size(1);
  if (len > config_.blockSize)
    throw std::invalid_argument("GPT: text of " + std::to_string(len) + " tokens exceeds block size " +
                                std::to_string(config_.blockSize));
  const auto positions = torch::arange(len, ids.options().dtype(torch::kLong)).unsqueeze(0).expand_as(ids);
  return logits(hidden(embedText(ids, positions), torch::Tensor()));
}

torch::Tensor GPTImpl::leadingLogits(const torch::Tensor& hiddenStates, int64_t rows) {
  if (rows < 1 || rows > config_.outputSize)
    throw std::invalid_argument("GPT: " + std::to_string(rows) + " leading logits of " +
                                std::to_string(config_.outputSize) + " outputs");
  const auto w = lm_head->weight.narrow(0, 0, rows);  // [rows, D], contiguous (leading rows)
  return cpu::linear(hiddenStates, w, {});
}

KvCache GPTImpl::emptyCache(int64_t capacity) const {
  KvCache cache;
  cache.layers.resize(static_cast<size_t>(config_.nLayer));
  for (auto& layer : cache.layers) layer.reserve = capacity;
  return cache;
}

LmLoss languageModelLoss(const torch::Tensor& logits, const torch::Tensor& targets) {
  const int64_t v = logits.size(-1);
  const auto flatLogits = logits.reshape({-1, v});                  // [B, L, V] -> [B·L, V]
  const auto flatTargets = targets.reshape({-1}).to(torch::kLong);  // [B, L] -> [B·L]
  LmLoss out;
  out.loss =
      torch::nn::functional::cross_entropy(flatLogits.to(torch::kFloat), flatTargets,
                                           torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-1));
  const auto valid = flatTargets != -1;
  out.count = valid.sum().item<int64_t>();
  const auto correct = (flatLogits.argmax(-1) == flatTargets) & valid;
  out.accuracy = correct.sum().to(torch::kFloat) / static_cast<float>(std::max<int64_t>(out.count, 1));
  return out;
}

}  // namespace neurolm::nn
