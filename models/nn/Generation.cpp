// NeuroLM generation (correct mask + KV cache, or the official quirks) and answer scoring.
#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include "models/nn/Attention.h"
#include "models/nn/Generation.h"

namespace neurolm::nn {

namespace {

constexpr int64_t kTextIds = kLastGpt2Id + 1;  // generation picks among GPT-2's 50,257 text ids only

// Next ids over GPT-2 text ids (official: logits[:, -1, :50257]); records the top-k trace. Greedy is the
// official top-k = 1 without its random tie-break: argmax, lowest id on ties.
class TokenPicker {
 public:
  explicit TokenPicker(const GenerateOptions& options) : options_(options) {
    if (options.sample) {
      if (!(options.temperature > 0.0)) throw std::invalid_argument("generate: temperature must be > 0");
      if (!(options.topP > 0.0 && options.topP <= 1.0))
        throw std::invalid_argument("generate: top-p must be in (0, 1]");
      generator_ = at::detail::createCPUGenerator(options.seed);
    }
  }

  torch::Tensor operator()(const torch::Tensor& lastLogits, std::vector<GenerateStep>& steps) {
    const auto text = lastLogits.narrow(-1, 0, kLastGpt2Id + 1).to(torch::kFloat);  // [B, 50257]
    if (options_.traceTopK > 0) {
      auto [values, indices] = text.topk(options_.traceTopK, -1);
      steps.push_back({indices, values});
    }
    torch::Tensor next = options_.sample ? sample(text) : text.argmax(-1, /*keepdim=*/true);  // [B, 1]
    if (options_.stopId) {
      if (!finished_.defined()) finished_ = torch::zeros_like(next, torch::kBool);
      next = torch::where(finished_, torch::full_like(next, *options_.stopId), next);
      finished_ = finished_ | (next == *options_.stopId);
    }
    return next;
  }

  bool allFinished() const { return finished_.defined() && finished_.all().item<bool>(); }

 private:
  torch::Tensor sample(const torch::Tensor& text) {
    auto logits = text / options_.temperature;
    const float negInf = -std::numeric_limits<float>::infinity();
    if (options_.topK > 0 && options_.topK < logits.size(-1)) {
      const auto kth =
          std::get<0>(logits.topk(options_.topK, -1)).narrow(-1, options_.topK - 1, 1);  // [B, 1]
      logits = logits.masked_fill(logits < kth, negInf);
    }
    if (options_.topP < 1.0) {
      auto [sorted, order] = logits.sort(-1, /*descending=*/true);
      const auto cumulative = torch::softmax(sorted, -1).cumsum(-1);
      // Drop a token when the tokens before it already reach top-p (the first one always stays).
      const auto drop = (cumulative - torch::softmax(sorted, -1)) >= options_.topP;
      logits = logits.scatter(-1, order, sorted.masked_fill(drop, negInf));
    }
    const auto probs = torch::softmax(logits, -1).to(torch::kCPU);
    return torch::multinomial(probs, 1, /*replacement=*/false, generator_).to(text.device());  // [B, 1]
  }

  const GenerateOptions& options_;
  torch::Generator generator_;
  torch::Tensor finished_;
};

void checkPosition(int64_t position, int64_t blockSize) {
  if (position >= blockSize)
    throw std::out_of_range("generate: text position " + std::to_string(position) + " exceeds the model's " +
                            std::to_string(blockSize) + " positions (wpe)");
}

// EEG part for the cached paths: padded (as given) or, with dropEegPadding, cut to the longest real length
// of the batch, using the exact tokenizer shortcut per sample (spec §8.33).
struct EegContext {
  torch::Tensor embedding;  // [B, Le', D]
  torch::Tensor inputTime;  // [B, Le']
  torch::Tensor eegMask;    // [B, Le'] bool
};

EegContext eegContext(NeuroLMImpl& model, const EegBatch& eeg, bool dropPadding) {
  if (!dropPadding) return {model.eegEmbedding(eeg), eeg.inputTime, eeg.inputMask.to(torch::kBool)};
  const auto valid = eeg.inputMask.to(torch::kLong).sum(1);  // [B]
  const int64_t keep = valid.max().item<int64_t>();
  if (eeg.batchSize() > 1 && (valid == keep).all().item<bool>())  // equal real counts: the encoder batched
    return {model.eegEmbeddingRealTokens(eeg), eeg.inputTime.narrow(1, 0, keep),
            eeg.inputMask.to(torch::kBool).narrow(1, 0, keep)};
  std::vector<torch::Tensor> rows;
  for (int64_t b = 0; b < eeg.batchSize(); ++b) {
    auto e = model.eegEmbeddingRealTokens(eeg.slice(b, 1));  // [1, V_b, D]
    if (e.size(1) < keep)
      e = torch::cat({e, torch::zeros({1, keep - e.size(1), e.size(2)}, e.options())}, 1);  // masked columns
    rows.push_back(e);
  }
  return {torch::cat(rows, 0), eeg.inputTime.narrow(1, 0, keep),
          eeg.inputMask.to(torch::kBool).narrow(1, 0, keep)};
}

}  // namespace

GenerateResult generate(NeuroLMImpl& model, const EegBatch& eeg, const torch::Tensor& promptIds,
                        const GenerateOptions& options, const torch::Tensor& gptMask) {
  torch::NoGradGuard noGrad;
  if (promptIds.dim() != 2 || promptIds.size(0) != eeg.batchSize() || promptIds.size(1) == 0)
    throw std::invalid_argument("generate: prompt ids must be [B, Lt] (Lt > 0) with the EEG batch size");
  if (gptMask.defined() && !options.officialQuirks)
    throw std::invalid_argument("generate: a given EEG-text mask is only used by the official-quirks mode");
  if (options.maxNewTokens < 1) throw std::invalid_argument("generate: maxNewTokens must be >= 1");
  const int64_t b = eeg.batchSize();
  const int64_t lt = promptIds.size(1);
  GenerateResult result;
  TokenPicker pick(options);
  auto ids = promptIds.to(torch::kLong);
  // True when generation must stop after this step's ids.
  const auto stopAfter = [&](int64_t step, const torch::Tensor& next) {
    if (options.onToken && !options.onToken(step, next.squeeze(1))) {
      result.cancelled = true;
      return true;
    }
    return pick.allFinished();
  };
  auto& gpt = *model.GPT2;
  const auto start = model.textStart(eeg.inputTime);  // [B]

  if (options.officialQuirks || !options.useKvCache) {
    const auto e = model.eegEmbedding(eeg);  // computed once
    torch::Tensor mask;
    if (options.officialQuirks)
      mask = gptMask.defined() ? gptMask : eegTextMask(eeg.inputTime, eeg.inputMask, lt);
    for (int64_t step = 0; step < options.maxNewTokens; ++step) {
      if (!options.officialQuirks) mask = eegTextMask(eeg.inputTime, eeg.inputMask, ids.size(1));
      const auto h0 = model.inputSequence(e, eeg.inputTime, ids, start);
      const auto hidden = gpt.hidden(h0, mask, nullptr);
      const auto last = gpt.leadingLogits(hidden.select(1, hidden.size(1) - 1), kTextIds);  // [B, 50257]
      const auto next = pick(last, result.steps);
      ids = torch::cat({ids, next}, 1);
      if (stopAfter(step, next)) break;
      if (options.officialQuirks) {
        // Official: old rows get a 0 column, the new row is all ones; the float blocks turn the mask into
        // an additive float mask from the second step on.
        const int64_t m = mask.size(-1);
        auto f = mask.to(torch::kFloat);
        f = torch::cat({f, torch::zeros({b, 1, m, 1}, f.options())}, -1);        // [B, 1, M, M+1]
        mask = torch::cat({f, torch::ones({b, 1, 1, m + 1}, f.options())}, -2);  // [B, 1, M+1, M+1]
      }
    }
    result.ids = ids;
    return result;
  }

  // Correct mode with a KV cache: one prefill of EEG + prompt, then one text row per new token.
  return generateFrom(model, prefillPrompt(model, eeg, ids, options.dropEegPadding, options.maxNewTokens),
                      ids, options);
}

PromptPrefill prefillPrompt(NeuroLMImpl& model, const EegBatch& eeg, const torch::Tensor& promptIds,
                            bool dropEegPadding, int64_t reserve) {
  torch::NoGradGuard noGrad;
  if (promptIds.dim() != 2 || promptIds.size(0) != eeg.batchSize() || promptIds.size(1) == 0)
    throw std::invalid_argument("prefill: prompt ids must be [B, Lt] (Lt > 0) with the EEG batch size");
  auto& gpt = *model.GPT2;
  const int64_t lt = promptIds.size(1);
  const auto ctx = eegContext(model, eeg, dropEegPadding);
  PromptPrefill p;
  p.eegMask = ctx.eegMask;
  p.start = model.textStart(eeg.inputTime);  // [B]
  p.promptLength = lt;
  p.cache = gpt.emptyCache(ctx.embedding.size(1) + lt + std::max<int64_t>(reserve, 0));
  const auto h0 = model.inputSequence(ctx.embedding, ctx.inputTime, promptIds.to(torch::kLong), p.start);
  const auto hidden = gpt.hidden(h0, eegTextMask(ctx.inputTime, ctx.eegMask, lt), &p.cache);  // [B, M, D]
  p.lastHidden = hidden.select(1, hidden.size(1) - 1);                                        // [B, D]
  return p;
}

GenerateResult generateFrom(NeuroLMImpl& model, const PromptPrefill& prefill, const torch::Tensor& promptIds,
                            const GenerateOptions& options) {
  torch::NoGradGuard noGrad;
  if (options.maxNewTokens < 1) throw std::invalid_argument("generate: maxNewTokens must be >= 1");
  if (promptIds.dim() != 2 || promptIds.size(1) != prefill.promptLength)
    throw std::invalid_argument("generate: prompt ids differ from the prefill's prompt");
  auto& gpt = *model.GPT2;
  const int64_t lt = prefill.promptLength;
  const int64_t blockSize = model.config().gpt.blockSize;
  GenerateResult result;
  TokenPicker pick(options);
  auto ids = promptIds.to(torch::kLong);
  auto cache = prefill.cache;  // shares the buffers; appends go past the prefill's length
  auto last = gpt.leadingLogits(prefill.lastHidden, kTextIds);  // [B, 50257]
  for (int64_t step = 0; step < options.maxNewTokens; ++step) {
    const auto next = pick(last, result.steps);  // [B, 1]
    ids = torch::cat({ids, next}, 1);
    if (options.onToken && !options.onToken(step, next.squeeze(1))) {
      result.cancelled = true;
      break;
    }
    if (pick.allFinished() || step + 1 == options.maxNewTokens) break;
    const auto position = prefill.start + (lt + step);  // [B]
    checkPosition(position.max().item<int64_t>(), blockSize);
    const auto h1 = gpt.embedText(next, position.unsqueeze(1));  // [B, 1, D]
    const auto hidden = gpt.hidden(h1, textRowsMask(prefill.eegMask, lt + step, 1), &cache);
    last = gpt.leadingLogits(hidden.select(1, 0), kTextIds);
  }
  result.ids = ids;
  return result;
}

ChoiceScores scoreChoices(NeuroLMImpl& model, const EegBatch& eeg, const torch::Tensor& promptIds,
                          const std::vector<std::vector<int64_t>>& choices, bool dropEegPadding) {
  if (eeg.batchSize() != 1 || promptIds.dim() != 2 || promptIds.size(0) != 1)
    throw std::invalid_argument("scoreChoices: one sample, prompt ids [1, Lt]");
  size_t longest = 0;
  for (const auto& choice : choices) longest = std::max(longest, choice.size());
  return scoreChoices(
      model, prefillPrompt(model, eeg, promptIds, dropEegPadding, static_cast<int64_t>(longest)), choices);
}

ChoiceScores scoreChoices(NeuroLMImpl& model, const PromptPrefill& prefill,
                          const std::vector<std::vector<int64_t>>& choices) {
  if (prefill.start.size(0) != 1) throw std::invalid_argument("scoreChoices: one sample");
  return scoreChoicesBatch(model, prefill, choices).front();
}

std::vector<ChoiceScores> scoreChoicesBatch(NeuroLMImpl& model, const PromptPrefill& prefill,
                                            const std::vector<std::vector<int64_t>>& choices) {
  torch::NoGradGuard noGrad;
  const int64_t b = prefill.start.size(0);
  const int64_t lt = prefill.promptLength;
  auto& gpt = *model.GPT2;
  const auto& start = prefill.start;
  const auto& eegMask = prefill.eegMask;
  // [B, V] -> [B, V] double on the CPU: one copy, then plain reads
  const auto firstLogProbs =
      torch::log_softmax(gpt.logits(prefill.lastHidden), -1).to(torch::kCPU, torch::kDouble).contiguous();
  const auto first = firstLogProbs.accessor<double, 2>();

  std::vector<ChoiceScores> scores(static_cast<size_t>(b));
  for (const auto& choice : choices) {
    if (choice.empty()) throw std::invalid_argument("scoreChoices: empty answer continuation");
    const int64_t k = static_cast<int64_t>(choice.size());
    std::vector<double> sums(static_cast<size_t>(b));
    for (int64_t s = 0; s < b; ++s) sums[static_cast<size_t>(s)] = first[s][choice[0]];
    if (k > 1) {
      auto branch = prefill.cache;  // appended keys/values go past the prefill's length; it is unchanged
      // The same continuation for every sample: [1, k−1] -> [B, k−1]
      const auto fed = torch::tensor(std::vector<int64_t>(choice.begin(), choice.end() - 1))
                           .unsqueeze(0)
                           .expand({b, k - 1})
                           .contiguous()
                           .to(start.device());
      const auto positions = start.unsqueeze(1) + lt + torch::arange(k - 1, start.options()).unsqueeze(0);
      checkPosition(positions.max().item<int64_t>(), model.config().gpt.blockSize);
      const auto h = gpt.hidden(gpt.embedText(fed, positions), textRowsMask(eegMask, lt, k - 1), &branch);
      // [B, k−1, V] -> the log-probs of the choice's next tokens [B, k−1]
      const auto targets = torch::tensor(std::vector<int64_t>(choice.begin() + 1, choice.end()))
                               .view({1, k - 1, 1})
                               .expand({b, k - 1, 1})
                               .to(start.device());
      const auto picked = torch::log_softmax(gpt.logits(h), -1)
                              .gather(2, targets)
                              .squeeze(2)
                              .to(torch::kCPU, torch::kDouble)
                              .contiguous();
      const auto a = picked.accessor<double, 2>();
      for (int64_t s = 0; s < b; ++s)
        for (int64_t i = 0; i + 1 < k; ++i) sums[static_cast<size_t>(s)] += a[s][i];
    }
    for (int64_t s = 0; s < b; ++s) {
      auto& sc = scores[static_cast<size_t>(s)];
      const double sum = sums[static_cast<size_t>(s)];
      sc.logProb.push_back(sum);
      sc.meanLogProb.push_back(sum / static_cast<double>(k));
      if (sc.best < 0 || sum > sc.logProb[static_cast<size_t>(sc.best)])
        sc.best = static_cast<int64_t>(sc.logProb.size()) - 1;
    }
  }
  return scores;
}

}  // namespace neurolm::nn
