#pragma once
// The optimisation machinery of the official training scripts (spec §5.1): AdamW with the two parameter
// groups of `configure_optimizers`, the per-step learning-rate table of `utils.cosine_scheduler`, global-norm
// gradient clipping, and the gradient-reversal strength of the tokenizer stage.
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "models/io/StateDict.h"

namespace neurolm::train {

struct ParamGroup {
  std::string name;  // "decay" or "no_decay"
  double weightDecay = 0.0;
  NamedTensors params;  // (name, parameter) in named_parameters() order
};

// As the official `configure_optimizers`: trainable parameters (requires_grad) with ≥ 2 dimensions — every
// weight matrix AND every embedding — decay with `weightDecay`; 1-D ones (biases, norm weights) do not.
// Frozen parameters are left out.
std::vector<ParamGroup> officialParamGroups(const torch::nn::Module& module, double weightDecay);

struct AdamWOptions {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
};

// AdamW as PyTorch 1.13's single-tensor path (decoupled weight decay p ← p·(1 − lr·wd), then Adam with bias
// correction, denominator √v / √(1 − β2ᵗ) + eps). Its state is named after the parameters, so it is saved and
// restored with the model (`stateTensors` / `loadState`), and it runs on whatever device the parameters live.
class AdamW {
 public:
  AdamW(std::vector<ParamGroup> groups, AdamWOptions options);

  // One update of every parameter that has a gradient, with learning rate `lr` for all groups (the official
  // loops write the same scheduled value into every group).
  void step(double lr);
  void zeroGrad();

  int64_t stepCount() const { return step_; }
  const std::vector<ParamGroup>& groups() const { return groups_; }
  const AdamWOptions& options() const { return options_; }
  // "exp_avg.<param>", "exp_avg_sq.<param>" for every parameter (zeros before the first step), and "step"
  // [1].
  NamedTensors stateTensors() const;
  // Restores what stateTensors() returned; throws naming the missing key or mismatching shape (nothing
  // changed).
  void loadState(const NamedTensors& state, const std::string& sourceName);

 private:
  std::vector<ParamGroup> groups_;
  AdamWOptions options_;
  std::vector<torch::Tensor> expAvg_;
  std::vector<torch::Tensor> expAvgSq_;
  int64_t step_ = 0;
};

struct ClipResult {
  double totalNorm = 0;    // L2 norm over every gradient before clipping
  double coefficient = 1;  // min(1, maxNorm / (totalNorm + 1e-6)) as applied
};
// torch.nn.utils.clip_grad_norm_ (norm of the per-tensor norms; every gradient multiplied by the clamped
// coefficient). Parameters without a gradient are skipped.
ClipResult clipGradNorm(const std::vector<torch::Tensor>& params, double maxNorm);
// The total gradient norm without changing anything (for logging when clipping is off).
double gradNorm(const std::vector<torch::Tensor>& params);

// The official `utils.cosine_scheduler` table, one value per global step (size epochs · stepsPerEpoch):
// a linear warm-up from `startWarmup` to `base` inclusive over W steps (W = warmupSteps when > 0, else
// warmupEpochs · stepsPerEpoch; none when warmupEpochs is 0), then base → final along half a cosine.
std::vector<double> cosineSchedule(double base, double final, int64_t epochs, int64_t stepsPerEpoch,
                                   int64_t warmupEpochs, double startWarmup = 0.0, int64_t warmupSteps = -1);

// Gradient-reversal strength of the tokenizer stage at global step s (0-based):
// 2 / (1 + exp(−10 · s / (epochs · stepsPerEpoch))) − 1 (spec §2.7).
double domainAlpha(int64_t step, int64_t epochs, int64_t stepsPerEpoch);

}  // namespace neurolm::train
