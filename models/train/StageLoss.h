#pragma once
// The loss of one training step of each official stage (spec §5.2–5.4), shared by the trainer and by the
// one-step parity tests, so that what is checked against the official code is what trains.
#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "models/nn/EegBatch.h"
#include "models/nn/NeuroLm.h"
#include "models/nn/Vq.h"

namespace neurolm::train {

struct StageLoss {
  torch::Tensor total;                                       // what backward() runs on
  std::vector<std::pair<std::string, torch::Tensor>> parts;  // named components (scalars) for the log
  double part(const std::string& name) const;                // value of a component; throws if unknown
};

// Stage 1 (train_vq.py): VQ losses (commitment + spectrum and raw reconstruction) + EEG domain loss through
// the gradient reversal with strength alpha + text domain loss on the text batch textIds [Bt, Lt].
// The module must be in training mode for the EMA codebook update (k-means seeded by `generator` at the
// first batch of an untrained codebook).
StageLoss tokenizerStepLoss(nn::VQAlignImpl& model, const nn::EegBatch& eeg, const torch::Tensor& yFreq,
                            const torch::Tensor& yRaw, const torch::Tensor& textIds, double alpha,
                            torch::Generator generator);

// The text-corpus LM loss of stages 2 and 3: GPT-2 over textX [Bt, 1024] with causal attention, mean
// cross-entropy against textY (next tokens; −1 ignored) over all 58 496 outputs (official text-only case).
nn::LmLoss textCorpusLoss(nn::NeuroLMImpl& model, const torch::Tensor& textX, const torch::Tensor& textY);

// Stage 2 (train_pretrain.py): next-second code prediction under the stair mask gptMask [B, 1, L, L] with
// code targets yEeg [B, L] (code, or −1 to ignore) + the text-corpus loss (undefined textX: EEG loss only).
StageLoss pretrainStepLoss(nn::NeuroLMImpl& model, const nn::EegBatch& eeg, const torch::Tensor& gptMask,
                           const torch::Tensor& yEeg, const torch::Tensor& textX, const torch::Tensor& textY);

// Stage 3 (train_instruction.py): instruction loss on [EEG | instruction text] with the EEG-text mask
// gptMask [B, 1, M, M] and targets [B, M] (−1 everywhere but the answer) + the text-corpus loss (undefined
// textX: instruction loss only).
StageLoss instructStepLoss(nn::NeuroLMImpl& model, const nn::EegBatch& eeg, const torch::Tensor& textIds,
                           const torch::Tensor& gptMask, const torch::Tensor& targets,
                           const torch::Tensor& textX, const torch::Tensor& textY);

}  // namespace neurolm::train
