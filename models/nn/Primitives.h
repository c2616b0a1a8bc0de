#pragma once
// Leaf modules with the official parameter names (`weight`, `bias`) that can be created on any device,
// including the meta device (shapes without memory, used to count the parameters of NeuroLM-XL).
// They call the same ATen kernels as their PyTorch counterparts (linear, embedding, layer_norm, conv2d,
// group_norm), so numerics equal the official code's; the exception is an inference Linear on at most
// cpu::kFewRowsMax rows (a decode step), which runs cpu::fewRowsLinear (same math, its own summation order).
#include <torch/torch.h>

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace neurolm::nn {

// True when constructors must not initialise their parameters: tensors made with these options hold no data
// (meta device), or a SkipInitGuard is alive on this thread (the weights are about to be loaded).
bool skipsInit(const torch::TensorOptions& options);

// While alive, modules built on this thread allocate their parameters without the random initialisation
// (NeuroLM-B: ~1 s of CPU and nothing of it survives a checkpoint load). Nestable.
class SkipInitGuard {
 public:
  SkipInitGuard();
  ~SkipInitGuard();
  SkipInitGuard(const SkipInitGuard&) = delete;
  SkipInitGuard& operator=(const SkipInitGuard&) = delete;
};

// nn.Linear: weight [out, in], optional bias [out]. Init normal(0, 0.02), zero bias (official from-scratch
// init).
class LinearImpl : public torch::nn::Module {
 public:
  LinearImpl(int64_t inFeatures, int64_t outFeatures, bool withBias,
             const torch::TensorOptions& options = {});
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight;  // [out, in]
  torch::Tensor bias;    // [out]; undefined when built without bias
};
TORCH_MODULE(Linear);

// nn.Embedding: weight [rows, dim]; init normal(0, initStd) (PyTorch default N(0, 1)).
class EmbeddingImpl : public torch::nn::Module {
 public:
  EmbeddingImpl(int64_t rows, int64_t dim, double initStd = 1.0, const torch::TensorOptions& options = {});
  // indices of any integer dtype (official channel/time indices are int32); converted to int64 here.
  torch::Tensor forward(const torch::Tensor& indices);
  int64_t rows() const { return weight.size(0); }
  torch::Tensor weight;  // [rows, dim]
};
TORCH_MODULE(Embedding);

// LayerNorm over the last dim with weight and optional bias (official model.py `LayerNorm(ndim, bias)`;
// nn.LayerNorm(768, eps=1e-6) for the tokenizer's fc_norm).
class LayerNormImpl : public torch::nn::Module {
 public:
  LayerNormImpl(int64_t dim, bool withBias, double eps, const torch::TensorOptions& options = {});
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight;  // [dim]
  torch::Tensor bias;    // [dim]; undefined when built without bias
  double eps;
};
TORCH_MODULE(LayerNorm);

// nn.Conv2d with bias; PyTorch's default init (uniform ±1/sqrt(fan_in) for weight and bias).
class Conv2dImpl : public torch::nn::Module {
 public:
  Conv2dImpl(int64_t inChannels, int64_t outChannels, std::array<int64_t, 2> kernel,
             std::array<int64_t, 2> stride, std::array<int64_t, 2> padding,
             const torch::TensorOptions& options = {});
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight;  // [out, in, kh, kw]
  torch::Tensor bias;    // [out]
  std::array<int64_t, 2> stride, padding;
};
TORCH_MODULE(Conv2d);

// nn.GroupNorm (affine): weight 1, bias 0.
class GroupNormImpl : public torch::nn::Module {
 public:
  GroupNormImpl(int64_t groups, int64_t channels, double eps, const torch::TensorOptions& options = {});
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight;  // [channels]
  torch::Tensor bias;    // [channels]
  int64_t groups;
  double eps;
};
TORCH_MODULE(GroupNorm);

// Exact (erf) GELU whose incoming gradient is made contiguous first. Debian's LibTorch 1.13 CPU float32 GELU
// backward returns wrong (run-to-run different) values when that gradient is non-contiguous
// (../shared/parity/train README), which TemporalConv's permute produces. Forward unchanged.
torch::Tensor geluContiguousGrad(const torch::Tensor& x);

// nn.GELU with the same guard (no parameters; for Sequentials such as `patch_embed.l`).
class GeluImpl : public torch::nn::Module {
 public:
  torch::Tensor forward(const torch::Tensor& x) { return geluContiguousGrad(x); }
};
TORCH_MODULE(Gelu);

// Sum of numel over named_parameters() and named_buffers() (the state-dict size); works on the meta device.
int64_t stateElementCount(const torch::nn::Module& module);

// The state dict in PyTorch's order: a module's own parameters, then its own buffers, then its children
// (depth first, registration order). Keys are dotted paths ("VQ.quantize.cluster_size").
std::vector<std::pair<std::string, torch::Tensor>> orderedStateDict(const torch::nn::Module& module);

}  // namespace neurolm::nn
