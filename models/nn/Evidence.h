#pragma once
// Evidence of an answer: which EEG tokens moved it. Gradient × input (Shrikumar et al. 2016; first-order
// Taylor term) of the answer option's log-probability with respect to the EEG embeddings E =
// encode_transform_layer(tokenizer(x)) + pos_embed (before wpe), one backward pass over the real tokens only
// (the padding dropped, as the ask path, spec §8.33). Not attention rollout: the stair mask lets every text
// position see every real EEG token, and rollout would ignore what the values carry.
#include <torch/torch.h>

#include <vector>

#include "models/nn/EegBatch.h"
#include "models/nn/NeuroLm.h"

namespace neurolm::nn {

// log p(option | EEG, prompt) = Σ_j log p(option_j | E, prompt, option_<j), the log-softmax over all outputs
// (as scoreChoices). eegEmbedding [1, V, D] of the real tokens, inputTime [1, V], promptIds [1, Lt]. -> a
// 0-dim tensor, differentiable in eegEmbedding.
torch::Tensor optionLogProbFromEmbedding(NeuroLMImpl& model, const torch::Tensor& eegEmbedding,
                                         const torch::Tensor& inputTime, const torch::Tensor& promptIds,
                                         const std::vector<int64_t>& option);

struct OptionEvidence {
  double logProb = 0;          // log p(option | EEG, prompt)
  torch::Tensor contribution;  // [V] signed Σ_d E[v, d] · ∂logProb/∂E[v, d] (CPU, double), token order
};

// One sample (eeg.batchSize() == 1). Works under NoGrad/InferenceMode callers only if they are lifted: the
// caller must not be in c10::InferenceMode (the runtime runs this job outside it).
OptionEvidence optionEvidence(NeuroLMImpl& model, const EegBatch& eeg, const torch::Tensor& promptIds,
                              const std::vector<int64_t>& option);

}  // namespace neurolm::nn
