#pragma once
// Data-dependent initialisation of NeuroLM's EEG input projection (`encode_transform_layer.0`, the
// Linear(768, D) that exists whenever the LM is not 768 wide). Not official: an opt-in of the pre-training
// stage ("eeg_input_init": "whiten"); the architecture and every other initialiser stay official.
//
// Why: the frozen tokenizer's features are dominated by WHERE a token is (its channel and second, through
// the tokenizer's position embeddings) and vary with WHAT the EEG does by well under 1 % of their spread
// once the tokenizer is trained on a small corpus (models/recipes/EXPERIMENTS.md). A projection drawn from
// N(0, 0.02) passes that whisper on unchanged, and a small LM trained from scratch never learns to read it.
// This initialiser measures the features of real training windows and sets the projection to
//   W = diag(1/√λ_k) U_kᵀ (I − QQᵀ),   b = −W μ
// where Q spans the differences between the per-position means (channel × second; removed so that no
// position offset saturates the GELU), U_k/λ_k are the top D principal directions/variances of what is left
// (the content), and μ is the overall mean: each LM input dimension starts as one whitened content
// component, of unit variance over real EEG.
#include <torch/torch.h>

#include <cstdint>

#include "models/nn/NeuroLm.h"

namespace neurolm::train {

struct InputInitReport {
  int64_t tokens = 0;               // feature rows measured
  int64_t positions = 0;            // distinct (channel, second) positions among them
  int64_t positionDirections = 0;   // rank of Q
  double contentShare = 0;          // content variance / total variance of the features
  double keptContentShare = 0;      // share of the content variance in the D kept components
};

// features [T, 768] (the tokenizer's fc_norm output of real tokens), positions [T] (any integer key of
// the token's channel and second). Throws std::invalid_argument when the model has no projection (D = 768)
// or there are fewer content directions than D.
InputInitReport whitenEegInput(nn::NeuroLMImpl& model, const torch::Tensor& features,
                               const torch::Tensor& positions);

}  // namespace neurolm::train
