#pragma once
// The pre-norm transformer block shared by the tokenizer (bias = false) and GPT-2 (bias = true)
// (official model/model.py `Block`, `CausalSelfAttention`, `MLP`).
#include <torch/torch.h>

#include "models/nn/Attention.h"
#include "models/nn/Primitives.h"

namespace neurolm::nn {

struct BlockConfig {
  int64_t nEmbd = 768;
  int64_t nHead = 12;
  bool bias = false;
  double layerNormEps = 1e-5;
};

// c_attn: D -> 3D ([q | k | v]), heads are consecutive D/H slices; c_proj: D -> D.
class CausalSelfAttentionImpl : public torch::nn::Module {
 public:
  CausalSelfAttentionImpl(const BlockConfig& config, const torch::TensorOptions& options = {});
  // x [B, L, D]; mask as scaledDotProductAttention; with kv the new keys/values are appended to it and the
  // queries attend to all cached + new keys.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask, LayerKv* kv = nullptr);
  Linear c_attn{nullptr};
  Linear c_proj{nullptr};
  int64_t nHead;
};
TORCH_MODULE(CausalSelfAttention);

// c_fc: D -> 4D, exact (erf) GELU, c_proj: 4D -> D.
class MlpImpl : public torch::nn::Module {
 public:
  MlpImpl(const BlockConfig& config, const torch::TensorOptions& options = {});
  torch::Tensor forward(const torch::Tensor& x);
  Linear c_fc{nullptr};
  Linear c_proj{nullptr};
};
TORCH_MODULE(Mlp);

// h <- h + attn(ln_1(h)); h <- h + mlp(ln_2(h)).
class BlockImpl : public torch::nn::Module {
 public:
  BlockImpl(const BlockConfig& config, const torch::TensorOptions& options = {});
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask, LayerKv* kv = nullptr);
  LayerNorm ln_1{nullptr};
  CausalSelfAttention attn{nullptr};
  LayerNorm ln_2{nullptr};
  Mlp mlp{nullptr};
};
TORCH_MODULE(Block);

}  // namespace neurolm::nn
