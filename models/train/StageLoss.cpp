#include "models/train/StageLoss.h"

#include <stdexcept>

#include "models/io/StateDict.h"

namespace neurolm::train {

double StageLoss::part(const std::string& name) const {
  for (const auto& [n, t] : parts)
    if (n == name) return t.item<double>();
  throw std::invalid_argument("training loss has no component '" + name + "'");
}

StageLoss tokenizerStepLoss(nn::VQAlignImpl& model, const nn::EegBatch& eeg, const torch::Tensor& yFreq,
                            const torch::Tensor& yRaw, const torch::Tensor& textIds, double alpha,
                            torch::Generator generator) {
  auto l = model.trainingLosses(eeg, yFreq, yRaw, textIds, alpha, std::move(generator));
  StageLoss out;
  out.total = l.total;
  out.parts = {{"quant_loss", l.vq.quant.detach()},     {"rec_freq_loss", l.vq.recFreq.detach()},
               {"rec_raw_loss", l.vq.recRaw.detach()},  {"domain_loss", l.domainEeg.detach()},
               {"domain_loss2", l.domainText.detach()}, {"total_loss", l.total.detach()}};
  return out;
}

nn::LmLoss textCorpusLoss(nn::NeuroLMImpl& model, const torch::Tensor& textX, const torch::Tensor& textY) {
  if (textX.sizes() != textY.sizes())
    throw std::invalid_argument("text batch: inputs " + shapeToString(textX.sizes()) + " and targets " +
                                shapeToString(textY.sizes()) + " differ in shape");
  return nn::languageModelLoss(model.GPT2->textLogits(textX), textY.to(torch::kLong));
}

namespace {
// The mean cross-entropy of the official loss, with lm_head applied only to the positions that have a
// target (the others are ignored by the loss anyway): same value and gradients, without the [B, M, 58 496]
// logits of every EEG-padding and text-padding position.
nn::LmLoss lossAtTargets(nn::GPTImpl& gpt, const torch::Tensor& hidden, const torch::Tensor& targets) {
  const auto flatTargets = targets.reshape({-1}).to(torch::kLong);             // [B, M] -> [B·M]
  const auto rows = torch::nonzero(flatTargets != -1).reshape({-1});           // [n]
  const auto h = hidden.reshape({-1, hidden.size(-1)}).index_select(0, rows);  // [B·M, D] -> [n, D]
  return nn::languageModelLoss(gpt.logits(h.unsqueeze(0)), flatTargets.index_select(0, rows).unsqueeze(0));
}
}  // namespace

StageLoss pretrainStepLoss(nn::NeuroLMImpl& model, const nn::EegBatch& eeg, const torch::Tensor& gptMask,
                           const torch::Tensor& yEeg, const torch::Tensor& textX,
                           const torch::Tensor& textY) {
  if (yEeg.sizes() != eeg.inputMask.sizes())
    throw std::invalid_argument("pre-training: EEG targets must be [B, Le] like input_mask");
  const auto hidden = model.forwardEeg(eeg, gptMask).hidden;  // [B, Le, D]
  const auto y = yEeg.to(torch::kLong);
  const auto eegOut = lossAtTargets(*model.GPT2, hidden,
                                    torch::where(y >= 0, y + nn::kEegCodeOffset, torch::full_like(y, -1)));
  StageLoss out;
  out.total = eegOut.loss;
  out.parts = {{"eeg_loss", eegOut.loss.detach()}, {"eeg_accuracy", eegOut.accuracy.detach()}};
  if (textX.defined()) {
    const auto text = textCorpusLoss(model, textX, textY);
    out.total = out.total + text.loss;
    out.parts.emplace_back("text_loss", text.loss.detach());
    out.parts.emplace_back("text_accuracy", text.accuracy.detach());
  }
  out.parts.emplace_back("total_loss", out.total.detach());
  return out;
}

StageLoss instructStepLoss(nn::NeuroLMImpl& model, const nn::EegBatch& eeg, const torch::Tensor& textIds,
                           const torch::Tensor& gptMask, const torch::Tensor& targets,
                           const torch::Tensor& textX, const torch::Tensor& textY) {
  const int64_t m = eeg.paddedLength() + textIds.size(1);
  if (targets.dim() != 2 || targets.size(0) != eeg.batchSize() || targets.size(1) != m)
    throw std::invalid_argument("instruction tuning: targets must be [B, M] with M = " + std::to_string(m));
  const auto hidden = model.forward(eeg, textIds, gptMask).hidden;  // [B, M, D]
  const auto instr = lossAtTargets(*model.GPT2, hidden, targets);
  StageLoss out;
  out.total = instr.loss;
  out.parts = {{"instruction_loss", instr.loss.detach()}, {"instruction_accuracy", instr.accuracy.detach()}};
  if (textX.defined()) {
    const auto text = textCorpusLoss(model, textX, textY);
    out.total = out.total + text.loss;
    out.parts.emplace_back("text_loss", text.loss.detach());
    out.parts.emplace_back("text_accuracy", text.accuracy.detach());
  }
  out.parts.emplace_back("total_loss", out.total.detach());
  return out;
}

}  // namespace neurolm::train
