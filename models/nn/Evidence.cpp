#include "models/nn/Evidence.h"

#include <stdexcept>

#include "models/nn/Attention.h"

namespace neurolm::nn {

torch::Tensor optionLogProbFromEmbedding(NeuroLMImpl& model, const torch::Tensor& eegEmbedding,
                                         const torch::Tensor& inputTime, const torch::Tensor& promptIds,
                                         const std::vector<int64_t>& option) {
  if (eegEmbedding.dim() != 3 || eegEmbedding.size(0) != 1)
    throw std::invalid_argument("evidence: EEG embedding must be [1, V, D]");
  if (option.empty()) throw std::invalid_argument("evidence: empty answer option");
  if (promptIds.dim() != 2 || promptIds.size(0) != 1 || promptIds.size(1) == 0)
    throw std::invalid_argument("evidence: prompt ids must be [1, Lt] with Lt > 0");
  const int64_t v = eegEmbedding.size(1);
  const int64_t lt = promptIds.size(1);
  const int64_t k = static_cast<int64_t>(option.size());
  const auto device = eegEmbedding.device();
  // The text fed: prompt + the option without its last token ([1, Lt + k − 1]); the option's tokens are
  // predicted at positions V + Lt − 1 … V + Lt + k − 2.
  const auto fed =
      torch::cat({promptIds.to(device, torch::kLong),
                  torch::tensor(std::vector<int64_t>(option.begin(), option.end() - 1), torch::kLong)
                      .view({1, k - 1})
                      .to(device)},
                 1);
  const auto time = inputTime.to(device, torch::kLong);
  const auto h0 =
      model.inputSequence(eegEmbedding, time, fed, model.textStart(time));  // [1, V + Lt + k − 1, D]
  const auto eegMask = torch::ones({1, v}, torch::TensorOptions().dtype(torch::kBool).device(device));
  const auto hidden = model.GPT2->hidden(h0, eegTextMask(time, eegMask, fed.size(1)), nullptr);
  const auto predicting = hidden.narrow(1, v + lt - 1, k);                       // [1, k, D]
  const auto logProbs = torch::log_softmax(model.GPT2->logits(predicting), -1);  // [1, k, 58496]
  const auto targets = torch::tensor(option, torch::kLong).view({1, k, 1}).to(device);
  return logProbs.gather(2, targets).sum();
}

OptionEvidence optionEvidence(NeuroLMImpl& model, const EegBatch& eeg, const torch::Tensor& promptIds,
                              const std::vector<int64_t>& option) {
  if (eeg.batchSize() != 1) throw std::invalid_argument("evidence: one sample");
  torch::Tensor embedding;
  {
    torch::NoGradGuard noGrad;                      // the frozen tokenizer needs no graph: E is the leaf
    embedding = model.eegEmbeddingRealTokens(eeg);  // [1, V, D]
  }
  const int64_t v = embedding.size(1);
  torch::AutoGradMode withGrad(true);
  const auto leaf = embedding.detach().clone().requires_grad_(true);
  const auto logProb =
      optionLogProbFromEmbedding(model, leaf, eeg.inputTime.narrow(1, 0, v), promptIds, option);
  const auto grad = torch::autograd::grad({logProb}, {leaf})[0];  // [1, V, D]; parameters get no .grad
  OptionEvidence e;
  e.logProb = logProb.item<double>();
  e.contribution = (leaf.detach() * grad).sum(-1)[0].to(torch::kCPU, torch::kDouble).contiguous();  // [V]
  return e;
}

}  // namespace neurolm::nn
