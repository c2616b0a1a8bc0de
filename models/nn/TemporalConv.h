#pragma once
// The tokenizer encoder's patch embedding (official model/model_neural_transformer.py `TemporalConv`).
#include <torch/torch.h>

#include "models/nn/Primitives.h"

namespace neurolm::nn {

// [B, L, 200] -> [B, L, outDim]: three (1×k) convolutions over the samples of each patch, each followed by
// GroupNorm(4, 16) and exact GELU, then Linear(400, outDim) + GELU. GroupNorm statistics run over all L
// tokens of a sample, padding included (spec §2.2).
class TemporalConvImpl : public torch::nn::Module {
 public:
  explicit TemporalConvImpl(int64_t outDim = 768, const torch::TensorOptions& options = {});
  torch::Tensor forward(const torch::Tensor& x);
  // Exact shortcut of spec §8.33: x holds only the real patches of ONE sample ([1, V, 200]); the GroupNorm
  // statistics are those of the same sample padded with `paddingCount` zero patches. Equals rows 0…V−1 of
  // forward() on the padded input.
  torch::Tensor forwardWithVirtualPadding(const torch::Tensor& x, int64_t paddingCount);

  Conv2d conv1{nullptr};
  GroupNorm norm1{nullptr};
  Conv2d conv2{nullptr};
  GroupNorm norm2{nullptr};
  Conv2d conv3{nullptr};
  GroupNorm norm3{nullptr};
  torch::nn::Sequential l{nullptr};  // l.0 = Linear(400, outDim), l.1 = GELU
};
TORCH_MODULE(TemporalConv);

}  // namespace neurolm::nn
