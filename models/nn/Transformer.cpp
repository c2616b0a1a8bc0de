// Leaf modules, attention and the transformer block (Primitives.h, Attention.h, Block.h).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <tuple>

#include "models/nn/Attention.h"
#include "models/nn/Block.h"
#include "models/nn/CpuKernels.h"
#include "models/nn/Primitives.h"

namespace neurolm::nn {

namespace {
thread_local int skipInitDepth = 0;
}
SkipInitGuard::SkipInitGuard() { ++skipInitDepth; }
SkipInitGuard::~SkipInitGuard() { --skipInitDepth; }
bool skipsInit(const torch::TensorOptions& options) { return skipInitDepth > 0 || options.device().is_meta(); }

// ---------------------------------------------------------------------------------------------- leaf modules
LinearImpl::LinearImpl(int64_t inFeatures, int64_t outFeatures, bool withBias,
                       const torch::TensorOptions& options) {
  weight = register_parameter("weight", torch::empty({outFeatures, inFeatures}, options));
  if (withBias) bias = register_parameter("bias", torch::empty({outFeatures}, options));
  if (!skipsInit(options)) {
    torch::NoGradGuard noGrad;
    weight.normal_(0.0, 0.02);
    if (bias.defined()) bias.zero_();
  }
}

torch::Tensor LinearImpl::forward(const torch::Tensor& x) {
  return cpu::linear(x, weight, bias);  // torch::linear, or a faster inference path (CpuKernels.h)
}

EmbeddingImpl::EmbeddingImpl(int64_t rows, int64_t dim, double initStd, const torch::TensorOptions& options) {
  weight = register_parameter("weight", torch::empty({rows, dim}, options));
  if (!skipsInit(options)) {
    torch::NoGradGuard noGrad;
    weight.normal_(0.0, initStd);
  }
}

torch::Tensor EmbeddingImpl::forward(const torch::Tensor& indices) {
  return torch::embedding(weight, indices.to(torch::kLong));
}

LayerNormImpl::LayerNormImpl(int64_t dim, bool withBias, double eps_, const torch::TensorOptions& options)
    : eps(eps_) {
  weight = register_parameter("weight", torch::ones({dim}, options));
  if (withBias) bias = register_parameter("bias", torch::zeros({dim}, options));
}

torch::Tensor LayerNormImpl::forward(const torch::Tensor& x) {
  return torch::layer_norm(x, {weight.size(0)}, weight, bias, eps);
}

Conv2dImpl::Conv2dImpl(int64_t inChannels, int64_t outChannels, std::array<int64_t, 2> kernel,
                       std::array<int64_t, 2> stride_, std::array<int64_t, 2> padding_,
                       const torch::TensorOptions& options)
    : stride(stride_), padding(padding_) {
  weight =
      register_parameter("weight", torch::empty({outChannels, inChannels, kernel[0], kernel[1]}, options));
  bias = register_parameter("bias", torch::empty({outChannels}, options));
  if (!skipsInit(options)) {
    torch::NoGradGuard noGrad;
    const double bound = 1.0 / std::sqrt(static_cast<double>(inChannels * kernel[0] * kernel[1]));
    weight.uniform_(-bound, bound);
    bias.uniform_(-bound, bound);
  }
}

torch::Tensor Conv2dImpl::forward(const torch::Tensor& x) {
  return torch::conv2d(x, weight, bias, {stride[0], stride[1]}, {padding[0], padding[1]});
}

GroupNormImpl::GroupNormImpl(int64_t groups_, int64_t channels, double eps_,
                             const torch::TensorOptions& options)
    : groups(groups_), eps(eps_) {
  weight = register_parameter("weight", torch::ones({channels}, options));
  bias = register_parameter("bias", torch::zeros({channels}, options));
}

torch::Tensor GroupNormImpl::forward(const torch::Tensor& x) {
  return torch::group_norm(x, groups, weight, bias, eps);
}

torch::Tensor geluContiguousGrad(const torch::Tensor& x) {
  auto y = torch::gelu(x);
  if (y.requires_grad()) y.register_hook([](const torch::Tensor& g) { return g.contiguous(); });
  return y;
}

int64_t stateElementCount(const torch::nn::Module& module) {
  int64_t count = 0;
  for (const auto& p : module.named_parameters()) count += p.value().numel();
  for (const auto& b : module.named_buffers()) count += b.value().numel();
  return count;
}

namespace {
void appendState(const torch::nn::Module& module, const std::string& prefix,
                 std::vector<std::pair<std::string, torch::Tensor>>& out) {
  for (const auto& p : module.named_parameters(/*recurse=*/false))
    out.emplace_back(prefix + p.key(), p.value());
  for (const auto& b : module.named_buffers(/*recurse=*/false)) out.emplace_back(prefix + b.key(), b.value());
  for (const auto& c : module.named_children()) appendState(*c.value(), prefix + c.key() + ".", out);
}
}  // namespace

std::vector<std::pair<std::string, torch::Tensor>> orderedStateDict(const torch::nn::Module& module) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  appendState(module, "", out);
  return out;
}

// ------------------------------------------------------------------------------------------------ attention
namespace {
std::atomic<int64_t> guardedRows{0};
}

int64_t guardedAttentionRows() { return guardedRows.load(); }

torch::Tensor scaledDotProductAttention(const torch::Tensor& q, const torch::Tensor& k,
                                        const torch::Tensor& v, const torch::Tensor& mask) {
  const int64_t lq = q.size(-2);
  const int64_t lk = k.size(-2);
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  // scores = (q · scale) @ kᵀ: scaling the [Lq, hd] queries instead of the [Lq, Lk] scores saves a pass over
  // the scores and is bit-identical to (q @ kᵀ) · scale when the scale is a power of two (head width 64, 16,
  // 256, ...); otherwise it differs by float rounding (~1 ulp).
  const auto qs = q.to(torch::kFloat) * scale;
  const auto kt = k.to(torch::kFloat).transpose(-2, -1);  // [B, H, hd, Lk]
  const float negInf = -std::numeric_limits<float>::infinity();
  torch::Tensor scores;  // [B, H, Lq, Lk]
  torch::Tensor dead;    // fully masked rows, broadcastable to [B, H, Lq, 1]; undefined when none can occur
  if (!mask.defined()) {
    if (lk < lq) throw std::invalid_argument("attention: causal mask needs at least as many keys as queries");
    const auto causal = torch::ones({lq, lk}, q.options().dtype(torch::kBool)).tril(lk - lq);  // [Lq, Lk]
    scores = cpu::batchedMatmul(qs, kt).masked_fill_(causal.logical_not(), negInf);
  } else if (mask.scalar_type() == torch::kBool) {
    // The mask as an additive bias (0 / −inf, [B, 1, Lq|1, Lk]: per sample, not per head) that the score
    // product is accumulated onto: one pass over the scores instead of product + masked_fill.
    const auto bias = torch::zeros(mask.sizes(), q.options().dtype(torch::kFloat)).masked_fill_(mask.logical_not(), negInf);
    scores = cpu::batchedMatmul(qs, kt, bias);
    const auto noKey = mask.any(-1, /*keepdim=*/true).logical_not();  // [B, 1, Lq|1, 1]
    if (noKey.any().item<bool>()) dead = noKey;
  } else {
    scores = cpu::batchedMatmul(qs, kt, mask.to(torch::kFloat));  // the official float mask is added as is
    dead = scores.amax(-1, /*keepdim=*/true) == negInf;          // [B, H, Lq, 1]
  }
  torch::Tensor probs;
  if (dead.defined()) {
    const auto deadRows = dead.expand({scores.size(0), scores.size(1), scores.size(2), 1});
    const int64_t deadCount = deadRows.sum().item<int64_t>();
    if (deadCount > 0) {
      guardedRows += deadCount;
      probs = torch::softmax(scores.masked_fill(deadRows, 0.0f), -1).masked_fill(deadRows, 0.0f);
    }
  }
  if (!probs.defined()) probs = torch::softmax(scores, -1);
  return cpu::batchedMatmul(probs.to(v.scalar_type()), v);
}

torch::Tensor keyPaddingMask(const torch::Tensor& inputMask) {
  if (inputMask.dim() != 2) throw std::invalid_argument("keyPaddingMask: input mask must be [B, L]");
  return inputMask.to(torch::kBool).unsqueeze(1).unsqueeze(1);  // [B, L] -> [B, 1, 1, L]
}

torch::Tensor stairMask(int64_t channels, int64_t seconds, int64_t paddedEegLength, int64_t textLength) {
  const int64_t valid = channels * seconds;
  if (channels <= 0 || seconds <= 0 || valid > paddedEegLength || textLength < 0)
    throw std::invalid_argument(
        "stairMask: need channels, seconds > 0, channels*seconds <= padded length (got " +
        std::to_string(channels) + "x" + std::to_string(seconds) + " > " + std::to_string(paddedEegLength) +
        ")");
  const int64_t m = paddedEegLength + textLength;
  const auto idx = torch::arange(m, torch::kLong);
  const auto i = idx.unsqueeze(1);  // [M, 1] queries
  const auto j = idx.unsqueeze(0);  // [1, M] keys
  const auto causal = j <= i;
  const auto sameSecond = (i < valid) & (j < valid) & (i.div(channels, "floor") == j.div(channels, "floor"));
  const auto padColumn = (j >= valid) & (j < paddedEegLength);
  return (causal | sameSecond) & padColumn.logical_not();  // [M, M]
}

torch::Tensor eegTextMask(const torch::Tensor& inputTime, const torch::Tensor& eegMask, int64_t textLength) {
  if (inputTime.dim() != 2 || eegMask.sizes() != inputTime.sizes())
    throw std::invalid_argument("eegTextMask: input_time and eeg_mask must both be [B, Le]");
  const auto opts = inputTime.options();
  const int64_t b = inputTime.size(0);
  const int64_t le = inputTime.size(1);
  const int64_t m = le + textLength;
  const auto real = eegMask.to(torch::kBool);
  const auto realFull = torch::cat({real, torch::zeros({b, textLength}, real.options())}, 1);  // [B, M]
  const auto timeFull =
      torch::cat({inputTime.to(torch::kLong), torch::full({b, textLength}, -1, opts.dtype(torch::kLong))}, 1);
  const auto padColumn = torch::cat({real.logical_not(), torch::zeros({b, textLength}, real.options())}, 1);
  const auto idx = torch::arange(m, opts.dtype(torch::kLong));
  const auto causal = (idx.unsqueeze(0) <= idx.unsqueeze(1)).unsqueeze(0);  // [1, M, M]
  const auto sameSecond = realFull.unsqueeze(2) & realFull.unsqueeze(1) &
                          (timeFull.unsqueeze(2) == timeFull.unsqueeze(1));  // [B, M, M]
  const auto allowed = (causal | sameSecond) & padColumn.logical_not().unsqueeze(1);
  return allowed.unsqueeze(1);  // [B, M, M] -> [B, 1, M, M]
}

torch::Tensor textRowsMask(const torch::Tensor& eegMask, int64_t pastTextLength, int64_t newLength) {
  const int64_t b = eegMask.size(0);
  const int64_t le = eegMask.size(1);
  // [B, Le] -> [B, 1, 1, Le] -> [B, 1, n, Le]
  const auto eegPart = eegMask.to(torch::kBool).view({b, 1, 1, le}).expand({b, 1, newLength, le});
  const auto rows =
      torch::arange(newLength, eegMask.options().dtype(torch::kLong)).unsqueeze(1) + pastTextLength;
  const auto cols =
      torch::arange(pastTextLength + newLength, eegMask.options().dtype(torch::kLong)).unsqueeze(0);
  // [n, past + n] -> [1, 1, n, past + n] -> [B, 1, n, past + n]
  const auto textPart = (cols <= rows)
                            .view({1, 1, newLength, pastTextLength + newLength})
                            .expand({b, 1, newLength, pastTextLength + newLength});
  return torch::cat({eegPart, textPart}, 3);  // [B, 1, n, Le + past + n]
}

std::pair<torch::Tensor, torch::Tensor> LayerKv::append(const torch::Tensor& k, const torch::Tensor& v) {
  const int64_t add = k.size(2);
  const int64_t needed = length + add;
  if (!keys.defined() || keys.size(2) < needed) {
    const int64_t capacity = keys.defined() ? std::max(needed, 2 * keys.size(2)) : std::max(needed, reserve);
    auto grownKeys = torch::empty({k.size(0), k.size(1), capacity, k.size(3)}, k.options());
    auto grownValues = torch::empty({v.size(0), v.size(1), capacity, v.size(3)}, v.options());
    if (length > 0) {
      grownKeys.narrow(2, 0, length).copy_(keys.narrow(2, 0, length));
      grownValues.narrow(2, 0, length).copy_(values.narrow(2, 0, length));
    }
    keys = grownKeys;
    values = grownValues;
  }
  keys.narrow(2, length, add).copy_(k);
  values.narrow(2, length, add).copy_(v);
  length = needed;
  return {keys.narrow(2, 0, length), values.narrow(2, 0, length)};
}

// -------------------------------------------------------------------------------------------------- block
CausalSelfAttentionImpl::CausalSelfAttentionImpl(const BlockConfig& config,
                                                 const torch::TensorOptions& options)
    : nHead(config.nHead) {
  if (config.nEmbd % config.nHead != 0)
    throw std::invalid_argument("attention: n_embd " + std::to_string(config.nEmbd) +
                                " is not divisible by n_head " + std::to_string(config.nHead));
  c_attn = register_module("c_attn", Linear(config.nEmbd, 3 * config.nEmbd, config.bias, options));
  c_proj = register_module("c_proj", Linear(config.nEmbd, config.nEmbd, config.bias, options));
}

torch::Tensor CausalSelfAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& mask,
                                               LayerKv* kv) {
  const int64_t b = x.size(0);
  const int64_t l = x.size(1);
  const int64_t d = x.size(2);
  const int64_t hd = d / nHead;
  const auto qkv = c_attn(x).split(d, 2);                         // [B, L, 3D] -> 3 x [B, L, D]
  auto q = qkv[0].view({b, l, nHead, hd}).transpose(1, 2);        // [B, L, D] -> [B, H, L, hd]
  auto k = qkv[1].view({b, l, nHead, hd}).transpose(1, 2);        // [B, L, D] -> [B, H, L, hd]
  auto v = qkv[2].view({b, l, nHead, hd}).transpose(1, 2);        // [B, L, D] -> [B, H, L, hd]
  if (kv != nullptr) std::tie(k, v) = kv->append(k, v);           // [B, H, T + L, hd]
  const auto y = scaledDotProductAttention(q, k, v, mask);        // [B, H, L, hd]
  return c_proj(y.transpose(1, 2).contiguous().view({b, l, d}));  // [B, H, L, hd] -> [B, L, D]
}

MlpImpl::MlpImpl(const BlockConfig& config, const torch::TensorOptions& options) {
  c_fc = register_module("c_fc", Linear(config.nEmbd, 4 * config.nEmbd, config.bias, options));
  c_proj = register_module("c_proj", Linear(4 * config.nEmbd, config.nEmbd, config.bias, options));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) {
  return c_proj(geluContiguousGrad(c_fc(x)));
}  // exact erf GELU

BlockImpl::BlockImpl(const BlockConfig& config, const torch::TensorOptions& options) {
  ln_1 = register_module("ln_1", LayerNorm(config.nEmbd, config.bias, config.layerNormEps, options));
  attn = register_module("attn", CausalSelfAttention(config, options));
  ln_2 = register_module("ln_2", LayerNorm(config.nEmbd, config.bias, config.layerNormEps, options));
  mlp = register_module("mlp", Mlp(config, options));
}

torch::Tensor BlockImpl::forward(const torch::Tensor& x, const torch::Tensor& mask, LayerKv* kv) {
  auto h = x + attn(ln_1(x), mask, kv);
  return h + mlp(ln_2(h));
}

}  // namespace neurolm::nn
