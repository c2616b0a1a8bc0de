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

StageLoss pretrainStepLoss(nn::NeuroLMImpl& model, const nn::EegBatch& eeg, const torch::Tensor& gptMask,
                           const torch::Tensor& yEeg, const torch::Tensor& textX,
                           const torch::Tensor& textY) {
  const auto eegOut = model.forwardEeg(eeg, gptMask, yEeg);
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
  const auto instr = model.forward(eeg, textIds, gptMask, targets);
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
