// TemporalConv and NeuralTransformer (the tokenizer's encoder and decoders).
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "models/nn/NeuralTransformer.h"
#include "models/nn/TemporalConv.h"

namespace neurolm::nn {

namespace {

void checkIndexRange(const torch::Tensor& indices, int64_t rows, const char* what) {
  if (indices.numel() == 0) return;
  const int64_t lo = indices.min().item<int64_t>();
  const int64_t hi = indices.max().item<int64_t>();
  if (lo < 0 || hi >= rows)
    throw std::out_of_range(std::string(what) + " must lie in [0, " + std::to_string(rows) + "), found [" +
                            std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

// GroupNorm of one sample whose L rows are `real` [1, C, V, W] plus `paddingCount` copies of `pad`
// [1, C, 1, W]; statistics in float64 over (C/G channels × (V + n) rows × W), as torch.group_norm on the
// padded tensor. Returns the normalised real rows and the normalised pad row.
std::pair<torch::Tensor, torch::Tensor> groupNormWithVirtualRows(const torch::Tensor& real,
                                                                 const torch::Tensor& pad,
                                                                 int64_t paddingCount,
                                                                 const GroupNormImpl& norm) {
  const int64_t c = real.size(1);
  const int64_t v = real.size(2);
  const int64_t w = real.size(3);
  const int64_t g = norm.groups;
  const auto xr = real.to(torch::kDouble).reshape({g, (c / g) * v * w});  // [1, C, V, W] -> [G, C/G·V·W]
  const auto xp = pad.to(torch::kDouble).reshape({g, (c / g) * w});       // [1, C, 1, W] -> [G, C/G·W]
  const double n = static_cast<double>(paddingCount);
  const double count = static_cast<double>((c / g) * w * (v + paddingCount));
  const auto mean = ((xr.sum(1) + n * xp.sum(1)) / count).unsqueeze(1);  // [G, 1]
  const auto var = (((xr - mean).square().sum(1) + n * (xp - mean).square().sum(1)) / count).unsqueeze(1);
  const auto rstd = (var + norm.eps).rsqrt();
  const auto weight = norm.weight.to(torch::kDouble).view({1, c, 1, 1});  // [C] -> [1, C, 1, 1]
  const auto bias = norm.bias.to(torch::kDouble).view({1, c, 1, 1});      // [C] -> [1, C, 1, 1]
  const auto normalise = [&](const torch::Tensor& x, int64_t rows) {
    const auto grouped = x.reshape({g, (c / g) * rows * w});         // [G, C/G·rows·W] (already grouped)
    const auto z = ((grouped - mean) * rstd).view({1, c, rows, w});  // [G, C/G·rows·W] -> [1, C, rows, W]
    return (z * weight + bias).to(real.scalar_type());
  };
  return {normalise(xr, v), normalise(xp, 1)};
}

}  // namespace

// --------------------------------------------------------------------------------------------- TemporalConv
using Pair = std::array<int64_t, 2>;

TemporalConvImpl::TemporalConvImpl(int64_t outDim, const torch::TensorOptions& options) {
  conv1 = register_module("conv1", Conv2d(1, 16, Pair{1, 15}, Pair{1, 8}, Pair{0, 7}, options));
  norm1 = register_module("norm1", GroupNorm(4, 16, 1e-5, options));
  conv2 = register_module("conv2", Conv2d(16, 16, Pair{1, 3}, Pair{1, 1}, Pair{0, 1}, options));
  norm2 = register_module("norm2", GroupNorm(4, 16, 1e-5, options));
  conv3 = register_module("conv3", Conv2d(16, 16, Pair{1, 3}, Pair{1, 1}, Pair{0, 1}, options));
  norm3 = register_module("norm3", GroupNorm(4, 16, 1e-5, options));
  l = register_module("l", torch::nn::Sequential(Linear(400, outDim, true, options), Gelu()));
}

torch::Tensor TemporalConvImpl::forward(const torch::Tensor& x) {
  const int64_t b = x.size(0);
  const int64_t len = x.size(1);
  auto h = x.unsqueeze(1);           // [B, L, 200] -> [B, 1, L, 200]
  h = geluContiguousGrad(norm1(conv1(h)));  // [B, 16, L, 25]
  h = geluContiguousGrad(norm2(conv2(h)));  // [B, 16, L, 25]
  h = geluContiguousGrad(norm3(conv3(h)));  // [B, 16, L, 25]
  const int64_t width = h.size(3);
  h = h.permute({0, 2, 3, 1})
          .reshape({b, len, width * 16});  // [B, 16, L, 25] -> [B, L, 25, 16] -> [B, L, 400]
  return l->forward(h);                    // [B, L, outDim]
}

torch::Tensor TemporalConvImpl::forwardWithVirtualPadding(const torch::Tensor& x, int64_t paddingCount) {
  if (x.size(0) != 1)
    throw std::invalid_argument("TemporalConv fast path takes one sample, got batch " +
                                std::to_string(x.size(0)));
  if (paddingCount == 0) return forward(x);
  const int64_t len = x.size(1);
  auto h = x.unsqueeze(1);                                   // [1, V, 200] -> [1, 1, V, 200]
  auto p = torch::zeros({1, 1, 1, x.size(2)}, x.options());  // the shared zero padding patch [1, 1, 1, 200]
  const std::pair<Conv2d*, GroupNorm*> stages[] = {{&conv1, &norm1}, {&conv2, &norm2}, {&conv3, &norm3}};
  for (const auto& [conv, norm] : stages) {
    auto [hn, pn] = groupNormWithVirtualRows((*conv)(h), (*conv)(p), paddingCount, **norm);
    h = geluContiguousGrad(hn);  // [1, 16, V, 25]
    p = geluContiguousGrad(pn);  // [1, 16, 1, 25]
  }
  const int64_t width = h.size(3);
  h = h.permute({0, 2, 3, 1})
          .reshape({1, len, width * 16});  // [1, 16, V, 25] -> [1, V, 25, 16] -> [1, V, 400]
  return l->forward(h);
}

// ----------------------------------------------------------------------------------------- NeuralTransformer
NeuralTransformerConfig NeuralTransformerConfig::officialEncoder() { return {}; }

NeuralTransformerConfig NeuralTransformerConfig::officialDecoder() {
  NeuralTransformerConfig c;
  c.nLayer = 4;
  c.inChans = 128;
  return c;
}

NeuralTransformerImpl::NeuralTransformerImpl(const NeuralTransformerConfig& config,
                                             const torch::TensorOptions& options)
    : config_(config) {
  if (config.inChans == 1) {
    if (config.nEmbd != 768)
      throw std::invalid_argument(
          "NeuralTransformer: the TemporalConv patch embedding hard-codes width 768, got " +
          std::to_string(config.nEmbd));
    temporalPatchEmbed = register_module("patch_embed", TemporalConv(config.nEmbd, options));
  } else {
    linearPatchEmbed = register_module("patch_embed", Linear(config.inChans, config.nEmbd, true, options));
  }
  pos_embed = register_module("pos_embed", Embedding(config.channelEmbedRows, config.nEmbd, 1.0, options));
  time_embed = register_module("time_embed", Embedding(config.timeEmbedRows, config.nEmbd, 1.0, options));
  blocks = register_module("blocks", torch::nn::ModuleList());
  const BlockConfig blockConfig{config.nEmbd, config.nHead, config.bias, 1e-5};
  for (int64_t i = 0; i < config.nLayer; ++i) {
    Block block(blockConfig, options);
    if (!skipsInit(options)) {  // official rescale of the residual projections: / sqrt(2·layer), layer 1-based
      torch::NoGradGuard noGrad;
      const double s = 1.0 / std::sqrt(2.0 * static_cast<double>(i + 1));
      block->attn->c_proj->weight.mul_(s);
      block->mlp->c_proj->weight.mul_(s);
    }
    blocks->push_back(block);
  }
  fc_norm = register_module("fc_norm", LayerNorm(config.nEmbd, true, 1e-6, options));
}

torch::Tensor NeuralTransformerImpl::embedAndRun(torch::Tensor h, const torch::Tensor& inputChans,
                                                 const torch::Tensor& inputTime,
                                                 const torch::Tensor& attnMask) {
  checkIndexRange(inputChans, config_.channelEmbedRows, "input_chans");
  checkIndexRange(inputTime, config_.timeEmbedRows, "input_time (seconds)");
  h = h + pos_embed(inputChans);  // [B, L, D] channel (spatial) embedding
  h = h + time_embed(inputTime);  // [B, L, D] second index
  for (const auto& block : *blocks) h = block->as<BlockImpl>()->forward(h, attnMask, nullptr);
  return fc_norm(h);
}

torch::Tensor NeuralTransformerImpl::forward(const torch::Tensor& x, const torch::Tensor& inputChans,
                                             const torch::Tensor& inputTime, const torch::Tensor& inputMask) {
  if (x.dim() != 3 || inputChans.sizes() != x.sizes().slice(0, 2) ||
      inputTime.sizes() != x.sizes().slice(0, 2) || inputMask.sizes() != x.sizes().slice(0, 2))
    throw std::invalid_argument(
        "NeuralTransformer: x must be [B, L, C] with input_chans, input_time and "
        "input_mask [B, L]");
  const auto h = temporalPatchEmbed ? temporalPatchEmbed(x) : linearPatchEmbed(x);  // [B, L, D]
  return embedAndRun(h, inputChans, inputTime, keyPaddingMask(inputMask));
}

torch::Tensor NeuralTransformerImpl::forwardRealTokens(const torch::Tensor& x,
                                                       const torch::Tensor& inputChans,
                                                       const torch::Tensor& inputTime, int64_t paddedLength) {
  if (!temporalPatchEmbed) throw std::logic_error("forwardRealTokens: only for the TemporalConv encoder");
  const int64_t v = x.size(1);
  if (paddedLength < v)
    throw std::invalid_argument("forwardRealTokens: padded length " + std::to_string(paddedLength) +
                                " is shorter than the " + std::to_string(v) + " real tokens");
  const auto h = temporalPatchEmbed->forwardWithVirtualPadding(x, paddedLength - v);  // [1, V, D]
  // Real queries attend to every real key and never to padding: the padded rows can be left out.
  const auto allReal = torch::ones({1, 1, 1, v}, x.options().dtype(torch::kBool));
  return embedAndRun(h, inputChans, inputTime, allReal);
}

torch::Tensor NeuralTransformerImpl::forwardRealOnly(const EegBatch& batch) {
  const auto counts = batch.inputMask.to(torch::kLong).sum(1);  // [B]
  const int64_t v = counts[0].item<int64_t>();
  if (batch.batchSize() > 1 && !(counts == v).all().item<bool>())
    throw std::invalid_argument("forwardRealOnly: the samples of a batch must have equal real token counts");
  if (v == 0 || !batch.inputMask.narrow(1, 0, v).to(torch::kBool).all().item<bool>())
    throw std::invalid_argument("forwardRealOnly: real tokens must be non-empty and precede the padding");
  if (!temporalPatchEmbed) return forward(batch).narrow(1, 0, v);
  if (batch.batchSize() > 1) {
    // The patch embedding's GroupNorm sees each sample's own padding: per sample; the blocks see only real
    // tokens (no mask needed), so the samples go through them together.
    std::vector<torch::Tensor> rows;
    for (int64_t b = 0; b < batch.batchSize(); ++b)
      rows.push_back(temporalPatchEmbed->forwardWithVirtualPadding(batch.x.narrow(0, b, 1).narrow(1, 0, v),
                                                                   batch.paddedLength() - v));  // [1, V, D]
    const auto allReal = torch::ones({1, 1, 1, v}, batch.x.options().dtype(torch::kBool));
    return embedAndRun(torch::cat(rows, 0), batch.inputChans.narrow(1, 0, v), batch.inputTime.narrow(1, 0, v),
                       allReal);  // [B, V, D]
  }
  return forwardRealTokens(batch.x.narrow(1, 0, v), batch.inputChans.narrow(1, 0, v),
                           batch.inputTime.narrow(1, 0, v), batch.paddedLength());  // [1, V, D]
}

}  // namespace neurolm::nn
