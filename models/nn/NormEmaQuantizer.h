#pragma once
// The tokenizer's codebook (official model/norm_ema_quantizer.py `EmbeddingEMA`, `NormEMAVectorQuantizer`):
// unit-norm codes, cosine (= squared Euclidean for unit vectors) assignment, EMA codebook updates.
#include <torch/torch.h>

#include <functional>

#include "models/nn/Primitives.h"

namespace neurolm::nn {

struct QuantizerConfig {
  int64_t nEmbed = 8192;   // codebook size
  int64_t embedDim = 128;  // code dimension
  double beta = 1.0;       // commitment weight
  double decay = 0.99;     // EMA decay
  double eps = 1e-5;
  int64_t kmeansIters = 10;
  // Not official (0 = off, the official quantizer): after each EMA step, codes whose usage EMA
  // (cluster_size) fell below this are restarted at random unit vectors of the batch, and their usage EMA
  // set to 1. Small corpora otherwise collapse to a handful of codes (the decoders then reconstruct from
  // their own position embeddings and the encoder learns no content).
  double restartBelow = 0.0;
};

// State: weight [n, d] (the codebook), cluster_size [n], embed_avg [n, d] (parameters without gradient,
// kept for checkpoint compatibility), initted [1] float buffer.
class EmbeddingEMAImpl : public torch::nn::Module {
 public:
  EmbeddingEMAImpl(const QuantizerConfig& config, const torch::TensorOptions& options = {});
  torch::Tensor weight;
  torch::Tensor cluster_size;
  torch::Tensor embed_avg;
  torch::Tensor initted;
};
TORCH_MODULE(EmbeddingEMA);

struct QuantizerOutput {
  torch::Tensor z;               // [..., d] the L2-normalised input
  torch::Tensor codes;           // [...] int64
  torch::Tensor zq;              // [..., d] straight-through z + (e[code] − z).detach()
  torch::Tensor commitmentLoss;  // scalar beta · mean((e[code] − z)²)
};

// Data-parallel training: how one step's codebook statistics reach every process. Unset (default) = one
// process. With them, the EMA statistics (code counts and per-code sums) are summed over the processes, and
// the k-means initialisation runs on process 0 over every process's batch (gathered in rank order, i.e. the
// batch one process would see with the whole global batch) and is broadcast.
struct QuantizerCollectives {
  std::function<void(torch::Tensor&)> allReduceSum;              // in place
  std::function<torch::Tensor(const torch::Tensor&)> allGather;  // [N, d] -> [world·N, d], rank order
  std::function<void(torch::Tensor&)> broadcastFromRoot;         // in place: process 0's values
  bool isRoot = true;
};

class NormEMAVectorQuantizerImpl : public torch::nn::Module {
 public:
  NormEMAVectorQuantizerImpl(const QuantizerConfig& config, const torch::TensorOptions& options = {});

  // Inference: normalise, assign, look up; never changes any state. z [..., d] (not yet normalised).
  QuantizerOutput quantize(const torch::Tensor& z) const;
  // Nearest code of unit vectors z [N, d]: argmin of float32 ‖z‖² + ‖e‖² − 2 z·e (the official formula),
  // lowest index on ties. -> [N] int64.
  torch::Tensor nearestCodes(const torch::Tensor& zUnit) const;

  // Training forward (official train-mode forward): k-means initialisation while initted == 0 (from the
  // first batch, with `generator`), then assignment and the EMA updates of cluster_size and the codebook.
  QuantizerOutput trainForward(const torch::Tensor& z, torch::Generator generator);
  // One EMA step from unit vectors zUnit [N, d] and their codes [N] (spec §2.5); unused codes unchanged.
  void emaUpdate(const torch::Tensor& zUnit, const torch::Tensor& codes);
  // The restart of unused codes (config restartBelow > 0); returns how many were restarted.
  int64_t restartDeadCodes(const torch::Tensor& zUnit, torch::Generator generator);
  // k-means on unit vectors (cosine), as the official kmeans(): returns {means [n, d], bins [n]}.
  std::pair<torch::Tensor, torch::Tensor> kmeans(const torch::Tensor& samples,
                                                 torch::Generator generator) const;

  const QuantizerConfig& config() const { return config_; }

  QuantizerCollectives collectives;  // set by a data-parallel trainer
  torch::Tensor cluster_size;        // [n] buffer: EMA of code usage
  EmbeddingEMA embedding{nullptr};

 private:
  QuantizerConfig config_;
};
TORCH_MODULE(NormEMAVectorQuantizer);

// F.normalize(x, p=2, dim=-1): x / max(‖x‖₂, 1e-12).
torch::Tensor l2Normalize(const torch::Tensor& x);

}  // namespace neurolm::nn
