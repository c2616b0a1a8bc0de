#pragma once
// Attention with the mask semantics of PyTorch >= 2 `scaled_dot_product_attention` (what the official runs
// used), the masks NeuroLM builds, and the key/value cache of generation.
#include <torch/torch.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace neurolm::nn {

// scores = q·kᵀ · 1/sqrt(headDim), then
//   mask undefined  -> causal, query i is at absolute position Lk − Lq + i (works with a KV cache);
//   bool mask       -> −inf where false (broadcast to [B, H, Lq, Lk]);
//   floating mask   -> ADDED to the scores as is (the official generate quirk relies on this).
// Softmax in float32. A fully masked row gives zeros (not NaN) and is counted in guardedAttentionRows().
// q [B, H, Lq, hd], k/v [B, H, Lk, hd] -> [B, H, Lq, hd].
torch::Tensor scaledDotProductAttention(const torch::Tensor& q, const torch::Tensor& k,
                                        const torch::Tensor& v, const torch::Tensor& mask);
// Number of fully masked query rows met since process start (never non-zero for NeuroLM's own masks).
int64_t guardedAttentionRows();

// Tokenizer mask: every query attends to every real key. inputMask [B, L] bool -> [B, 1, 1, L]
// (broadcasts like the official [B, 1, L, L] with m[b, 0, i, j] = inputMask[b, j]).
torch::Tensor keyPaddingMask(const torch::Tensor& inputMask);

// The multi-channel "stair" mask of spec §4.3 for one sample with `channels` channels and `seconds` seconds,
// EEG padded to paddedEegLength, followed by textLength text tokens. -> [M, M] bool, M = Le + Lt.
torch::Tensor stairMask(int64_t channels, int64_t seconds, int64_t paddedEegLength, int64_t textLength);

// The same mask built from a batch's tensors: inputTime [B, Le] (second index), eegMask [B, Le] bool (real
// tokens, contiguous at the start), textLength -> [B, 1, M, M] bool. Two real EEG tokens of one second see
// each other; everything else is causal; nobody sees EEG padding.
torch::Tensor eegTextMask(const torch::Tensor& inputTime, const torch::Tensor& eegMask, int64_t textLength);

// Mask rows of `newLength` text tokens appended after `pastTextLength` text tokens (what a KV-cache step
// needs): each new row sees all real EEG, all earlier text and itself (spec §8.11).
// eegMask [B, Le] bool -> [B, 1, newLength, Le + pastTextLength + newLength] bool.
torch::Tensor textRowsMask(const torch::Tensor& eegMask, int64_t pastTextLength, int64_t newLength);

// Per-layer keys and values seen so far, in a buffer [B, H, capacity, hd] of which the first `length`
// positions are filled (capacity grows by doubling; reserve it up front to avoid copies).
// Copying a LayerKv/KvCache shares the buffers: a copy may be extended (a scoring branch) as long as no other
// copy of the same cache is extended concurrently; each sees only its own first `length` positions.
struct LayerKv {
  torch::Tensor keys;    // buffer [B, H, capacity, hd] (undefined before the first call)
  torch::Tensor values;  // buffer [B, H, capacity, hd]
  int64_t length = 0;
  int64_t reserve = 0;  // capacity of the first allocation (0: exactly what the first call needs)

  // Appends k/v [B, H, L, hd]; returns all keys and values so far, [B, H, length, hd] each.
  std::pair<torch::Tensor, torch::Tensor> append(const torch::Tensor& k, const torch::Tensor& v);
};
struct KvCache {
  std::vector<LayerKv> layers;
  int64_t length() const { return layers.empty() ? 0 : layers[0].length; }
};

}  // namespace neurolm::nn
