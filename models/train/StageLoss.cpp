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

// Real EEG tokens per sample when every sample of the batch has the same count V < Le (prepared datasets
// always do); 0 otherwise.
int64_t commonRealLength(const nn::EegBatch& eeg) {
  const auto counts = eeg.inputMask.to(torch::kLong).sum(1);  // [B]
  const int64_t v = counts.min().item<int64_t>();
  if (v != counts.max().item<int64_t>() || v >= eeg.paddedLength() || v == 0) return 0;
  return v;
}

// The hidden states of [EEG | text] with the EEG padding left out, exactly: the frozen tokenizer runs the
// real-token path of spec §8.33 (GroupNorm statistics of the padded length), and GPT-2 never sees the padding
// (no token attends to it; positions come from input_time and the last second, not from the padding). The
// official forward computes the same values at the kept positions. -> [B, V + Lt, D]; `keep` receives the
// V + Lt indices of the full sequence (for the mask and the targets).
torch::Tensor hiddenWithoutPadding(nn::NeuroLMImpl& model, const nn::EegBatch& eeg, int64_t v,
                                   const torch::Tensor& textIds, const torch::Tensor& gptMask,
                                   torch::Tensor& keep) {
  std::vector<torch::Tensor> rows;
  {
    torch::NoGradGuard frozen;  // the tokenizer is frozen in both NeuroLM stages
    for (int64_t b = 0; b < eeg.batchSize(); ++b)
      rows.push_back(model.tokenizer->forwardRealOnly(eeg.slice(b, 1)));
  }
  const auto features = torch::cat(rows, 0);  // [B, V, De]
  const auto chans = eeg.inputChans.narrow(1, 0, v);
  auto e =
      model.encode_transform_layer.is_empty() ? features : model.encode_transform_layer->forward(features);
  e = e + model.pos_embed(chans);  // [B, V, D]
  const auto time = eeg.inputTime.narrow(1, 0, v);
  const bool withText = textIds.defined() && textIds.size(1) > 0;
  const auto h0 = model.inputSequence(e, time, withText ? textIds : torch::Tensor(),
                                      withText ? model.textStart(eeg.inputTime) : torch::Tensor());
  const int64_t lt = withText ? textIds.size(1) : 0;
  keep = torch::cat({torch::arange(v, torch::kLong),
                     torch::arange(eeg.paddedLength(), eeg.paddedLength() + lt, torch::kLong)})
             .to(eeg.x.device());
  const auto mask = gptMask.index_select(2, keep).index_select(3, keep);  // [B, 1, V+Lt, V+Lt]
  return model.GPT2->hidden(h0, mask, nullptr);
}
}  // namespace

namespace {
// Adds the unweighted text-corpus loss of stages 2 and 3 (when a text batch is given) and the total.
StageLoss withTextCorpusLoss(StageLoss out, nn::NeuroLMImpl& model, const torch::Tensor& textX,
                             const torch::Tensor& textY) {
  if (textX.defined()) {
    const auto text = textCorpusLoss(model, textX, textY);
    out.total = out.total + text.loss;
    out.parts.emplace_back("text_loss", text.loss.detach());
    out.parts.emplace_back("text_accuracy", text.accuracy.detach());
  }
  out.parts.emplace_back("total_loss", out.total.detach());
  return out;
}
}  // namespace

StageLoss pretrainStepLoss(nn::NeuroLMImpl& model, const nn::EegBatch& eeg, const torch::Tensor& gptMask,
                           const torch::Tensor& yEeg, const torch::Tensor& textX,
                           const torch::Tensor& textY) {
  if (yEeg.sizes() != eeg.inputMask.sizes())
    throw std::invalid_argument("pre-training: EEG targets must be [B, Le] like input_mask");
  auto y = yEeg.to(torch::kLong);
  y = torch::where(y >= 0, y + nn::kEegCodeOffset, torch::full_like(y, -1));
  torch::Tensor hidden;
  if (const int64_t v = commonRealLength(eeg); v > 0 && gptMask.defined()) {
    torch::Tensor keep;
    hidden = hiddenWithoutPadding(model, eeg, v, {}, gptMask, keep);  // [B, V, D]
    y = y.index_select(1, keep);
  } else {
    hidden = model.forwardEeg(eeg, gptMask).hidden;  // [B, Le, D]
  }
  const auto eegOut = lossAtTargets(*model.GPT2, hidden, y);
  StageLoss out;
  out.total = eegOut.loss;
  out.parts = {{"eeg_loss", eegOut.loss.detach()}, {"eeg_accuracy", eegOut.accuracy.detach()}};
  return withTextCorpusLoss(std::move(out), model, textX, textY);
}

StageLoss instructStepLoss(nn::NeuroLMImpl& model, const nn::EegBatch& eeg, const torch::Tensor& textIds,
                           const torch::Tensor& gptMask, const torch::Tensor& targets,
                           const torch::Tensor& textX, const torch::Tensor& textY) {
  const int64_t m = eeg.paddedLength() + textIds.size(1);
  if (targets.dim() != 2 || targets.size(0) != eeg.batchSize() || targets.size(1) != m)
    throw std::invalid_argument("instruction tuning: targets must be [B, M] with M = " + std::to_string(m));
  torch::Tensor hidden, kept = targets;
  if (const int64_t v = commonRealLength(eeg); v > 0 && gptMask.defined()) {
    torch::Tensor keep;
    hidden = hiddenWithoutPadding(model, eeg, v, textIds, gptMask, keep);  // [B, V + Lt, D]
    kept = targets.index_select(1, keep);
  } else {
    hidden = model.forward(eeg, textIds, gptMask).hidden;  // [B, M, D]
  }
  const auto instr = lossAtTargets(*model.GPT2, hidden, kept);
  StageLoss out;
  out.total = instr.loss;
  out.parts = {{"instruction_loss", instr.loss.detach()}, {"instruction_accuracy", instr.accuracy.detach()}};
  return withTextCorpusLoss(std::move(out), model, textX, textY);
}

}  // namespace neurolm::train
