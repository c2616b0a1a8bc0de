#pragma once
// Answer generation and answer scoring with NeuroLM (official NeuroLM.generate, spec §4.5 and §8.11).
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "models/nn/EegBatch.h"
#include "models/nn/NeuroLm.h"

namespace neurolm::nn {

struct GenerateOptions {
  int64_t maxNewTokens = 5;
  // false (default): training-time mask extended causally (each new row = a text row: real EEG, earlier text,
  //   itself), greedy argmax, KV cache. true: the official generate with its quirks — full recomputation, new
  //   mask rows of ones, mask turned into an additive float 0/1 mask after the first step. For parity only.
  bool officialQuirks = false;
  bool useKvCache = true;       // correct mode only; false = full recomputation (reference for the cache)
  bool dropEegPadding = false;  // correct mode with cache only: skip padding work exactly (spec §8.33)
  int64_t traceTopK = 5;        // per-step top-k ids/logits recorded (0 = none)

  // Free-text chat only (spec §8.22; classification stays greedy): sample instead of argmax, from
  // softmax(logits / temperature) restricted to the topK largest (0 = all) and to the smallest set whose
  // probability reaches topP, with a seeded generator (reproducible).
  bool sample = false;
  double temperature = 1.0;
  int64_t topK = 0;
  double topP = 1.0;
  uint64_t seed = 0;
  // Stop once every sample has produced this id (e.g. 50256); finished rows then repeat it. The official
  // evaluation never stops early.
  std::optional<int64_t> stopId;
  // Called after each step with the new ids [B]; returning false cancels (the ids so far are returned).
  std::function<bool(int64_t step, const torch::Tensor& newIds)> onToken;
};

struct GenerateStep {
  torch::Tensor topIds;     // [B, k] int64, over ids 0…50256
  torch::Tensor topLogits;  // [B, k] float
};

struct GenerateResult {
  torch::Tensor ids;       // [B, Lt + n] int64: prompt then the n ≤ maxNewTokens generated ids
  bool cancelled = false;  // onToken returned false
  std::vector<GenerateStep> steps;
};

// Generation over ids 0…50256: greedy argmax (lowest id on ties) unless options.sample. promptIds [B, Lt]
// (e.g. [SEP] + prompt, all rows the same length). gptMask: only for officialQuirks (the loader's [B, 1, M,
// M] bool mask; undefined = built).
GenerateResult generate(NeuroLMImpl& model, const EegBatch& eeg, const torch::Tensor& promptIds,
                        const GenerateOptions& options = {}, const torch::Tensor& gptMask = {});

// One prefill of EEG + prompt through GPT-2 with a KV cache, shared by a KV-cache generation and answer
// scoring of the same window (the ask path: the EEG is encoded and prefilled once, not twice).
struct PromptPrefill {
  torch::Tensor eegMask;     // [B, Le'] bool, real EEG tokens (Le' = real length with dropEegPadding)
  torch::Tensor start;       // [B] first text position (wpe)
  int64_t promptLength = 0;  // Lt
  KvCache cache;             // Le' + Lt positions; copies extend it without changing this one's length
  torch::Tensor lastHidden;  // [B, D] ln_f output of the last prompt position
};
// reserve: room for this many tokens after the prompt (the longest answer or choice to come).
PromptPrefill prefillPrompt(NeuroLMImpl& model, const EegBatch& eeg, const torch::Tensor& promptIds,
                            bool dropEegPadding, int64_t reserve);
// generate() in correct KV-cache mode from a prefill (options.officialQuirks / useKvCache = false and
// options.dropEegPadding are not used here: the prefill decided). promptIds as given to prefillPrompt.
// `prefill` is not changed (its cache keeps its length), so it can be scored afterwards.
GenerateResult generateFrom(NeuroLMImpl& model, const PromptPrefill& prefill, const torch::Tensor& promptIds,
                            const GenerateOptions& options);

struct ChoiceScores {
  std::vector<double> logProb;  // sum over the choice's tokens of log p(token | EEG, prompt, earlier tokens)
  std::vector<double> meanLogProb;  // the same divided by the choice length
  int64_t best = -1;                // index of the highest logProb (first on ties)
};

// Constrained scoring of answer continuations for ONE sample (spec §8.14; not the official metric): the
// log-softmax runs over all 58 496 outputs, as the training loss. promptIds [1, Lt]. dropEegPadding: the EEG
// prefix without its padding (§8.33, as GenerateOptions::dropEegPadding; equal up to float rounding).
ChoiceScores scoreChoices(NeuroLMImpl& model, const EegBatch& eeg, const torch::Tensor& promptIds,
                          const std::vector<std::vector<int64_t>>& choices, bool dropEegPadding = false);
// The same from a prefill of ONE sample (prefillPrompt with reserve ≥ the longest choice − 1).
ChoiceScores scoreChoices(NeuroLMImpl& model, const PromptPrefill& prefill,
                          const std::vector<std::vector<int64_t>>& choices);
// The same for every sample of a batched prefill (the whole-recording path): the continuations of all samples
// go through GPT-2 together, one ChoiceScores per sample, equal to scoring each sample alone up to float
// rounding.
std::vector<ChoiceScores> scoreChoicesBatch(NeuroLMImpl& model, const PromptPrefill& prefill,
                                            const std::vector<std::vector<int64_t>>& choices);

}  // namespace neurolm::nn
