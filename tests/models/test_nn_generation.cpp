// NeuroLM forward, generation (KV cache vs full recomputation, official quirks) and answer scoring on a small
// random model built from the same classes as the official sizes.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "models/nn/Attention.h"
#include "models/nn/Generation.h"
#include "models/nn/NeuroLm.h"

using namespace neurolm::nn;

namespace {

NeuroLmConfig smallConfig() {
  NeuroLmConfig c;
  c.gpt = GptConfig{2, 2, 16};
  c.tokenizer.nLayer = 1;  // one 768-wide bias-free block with the key-padding mask
  return c;
}

// Random weights with clear top-1 margins (as the parity fixture: wte, lm_head ×25, c_attn ×10).
NeuroLM makeModel(uint64_t seed, NeuroLmConfig config = smallConfig(), double attentionScale = 10.0) {
  torch::manual_seed(seed);
  NeuroLM model(config);
  torch::NoGradGuard g;
  model->GPT2->transformer->wte->weight.mul_(25.0);
  model->GPT2->lm_head->weight.mul_(25.0);
  for (auto& p : model->named_parameters())
    if (p.key().find("c_attn.weight") != std::string::npos) p.value().mul_(attentionScale);
  for (auto& p : model->parameters())
    if (p.dim() == 1) p.add_(0.1 * torch::randn_like(p));
  model->eval();
  return model;
}

// Sample with `channels` × `seconds` real patches padded to `padded` (time-major token order).
EegBatch sample(int64_t channels, int64_t seconds, int64_t padded, uint64_t seed) {
  torch::manual_seed(seed);
  const int64_t v = channels * seconds;
  EegBatch b{torch::zeros({1, padded, 200}), torch::full({1, padded}, 136, torch::kInt),
             torch::zeros({1, padded}, torch::kInt), torch::zeros({1, padded}, torch::kBool)};
  b.x.narrow(1, 0, v).copy_(torch::randn({1, v, 200}));
  for (int64_t p = 0; p < v; ++p) {
    b.inputChans[0][p] = static_cast<int>(3 + 11 * (p % channels));
    b.inputTime[0][p] = static_cast<int>(p / channels);
    b.inputMask[0][p] = true;
  }
  return b;
}

EegBatch concat(const EegBatch& a, const EegBatch& b) {
  return {torch::cat({a.x, b.x}), torch::cat({a.inputChans, b.inputChans}),
          torch::cat({a.inputTime, b.inputTime}), torch::cat({a.inputMask, b.inputMask})};
}

torch::Tensor prompt(std::vector<int64_t> ids) { return torch::tensor(ids).unsqueeze(0); }

double maxAbs(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

}  // namespace

TEST(NnGeneration, KvCacheGivesExactlyTheIdsOfFullRecomputation) {
  auto model = makeModel(21);
  const auto eeg = concat(sample(3, 2, 12, 1), sample(2, 4, 12, 2));
  const auto text = torch::cat({prompt({kSepId, 24361, 25, 1148}), prompt({kSepId, 428, 48749, 30})});
  GenerateOptions full;
  full.maxNewTokens = 8;
  full.useKvCache = false;
  const auto reference = generate(*model, eeg, text, full);
  for (const bool drop : {false, true}) {
    GenerateOptions cached = full;
    cached.useKvCache = true;
    cached.dropEegPadding = drop;
    const auto r = generate(*model, eeg, text, cached);
    EXPECT_TRUE(torch::equal(r.ids, reference.ids)) << "dropEegPadding " << drop;
    ASSERT_EQ(r.steps.size(), 8u);
    for (size_t s = 0; s < r.steps.size(); ++s) {
      EXPECT_TRUE(torch::equal(r.steps[s].topIds, reference.steps[s].topIds)) << s;
      EXPECT_LT(maxAbs(r.steps[s].topLogits, reference.steps[s].topLogits), 1e-3) << s;
    }
  }
  // Not a vacuous comparison: the generated ids are not all the same token.
  EXPECT_GT(std::get<0>(at::_unique(reference.ids.narrow(1, 4, 8))).numel(), 1);
}

TEST(NnGeneration, BatchOfTwoEqualsTwoSingleRuns) {
  auto model = makeModel(22);
  const auto a = sample(3, 2, 12, 3);
  const auto b = sample(2, 4, 12, 4);
  const auto textA = prompt({kSepId, 24361, 25});
  const auto textB = prompt({kSepId, 1029, 26211});
  GenerateOptions o;
  o.maxNewTokens = 4;
  const auto both = generate(*model, concat(a, b), torch::cat({textA, textB}), o);
  const auto ra = generate(*model, a, textA, o);
  const auto rb = generate(*model, b, textB, o);
  EXPECT_TRUE(torch::equal(both.ids[0], ra.ids[0]));
  EXPECT_TRUE(torch::equal(both.ids[1], rb.ids[0]));
  for (size_t s = 0; s < both.steps.size(); ++s) {
    EXPECT_LT(maxAbs(both.steps[s].topLogits[0], ra.steps[s].topLogits[0]), 1e-3);
    EXPECT_LT(maxAbs(both.steps[s].topLogits[1], rb.steps[s].topLogits[0]), 1e-3);
  }
  torch::NoGradGuard g;
  const auto fwd = model->forward(concat(a, b), torch::cat({textA, textB}), torch::Tensor());
  EXPECT_LT(maxAbs(fwd.logits[0], model->forward(a, textA, torch::Tensor()).logits[0]), 1e-3);
  EXPECT_LT(maxAbs(fwd.logits[1], model->forward(b, textB, torch::Tensor()).logits[0]), 1e-3);
}

TEST(NnGeneration, OfficialQuirksShareOnlyTheFirstStepAndSeeEegPadding) {
  auto model = makeModel(23);
  auto eeg = sample(3, 2, 12, 5);
  const auto text = prompt({kSepId, 24361, 25, 1148});
  GenerateOptions correct;
  correct.maxNewTokens = 3;
  GenerateOptions quirks = correct;
  quirks.officialQuirks = true;
  const auto c0 = generate(*model, eeg, text, correct);
  const auto q0 = generate(*model, eeg, text, quirks);
  EXPECT_LT(maxAbs(c0.steps[0].topLogits, q0.steps[0].topLogits), 1e-5);  // spec §8.11: step 0 identical
  EXPECT_GT(maxAbs(c0.steps[1].topLogits, q0.steps[1].topLogits), 1e-4);  // then the modes differ
  // Change only what the padding tokens carry (their channel index): invisible to the correct mask,
  // visible to the quirk mode from step 1 on (its new rows see EEG padding).
  eeg.inputChans.narrow(1, 6, 6).fill_(100);
  const auto c1 = generate(*model, eeg, text, correct);
  const auto q1 = generate(*model, eeg, text, quirks);
  for (size_t s = 0; s < 3; ++s) EXPECT_LT(maxAbs(c0.steps[s].topLogits, c1.steps[s].topLogits), 1e-5) << s;
  EXPECT_LT(maxAbs(q0.steps[0].topLogits, q1.steps[0].topLogits), 1e-5);
  EXPECT_GT(maxAbs(q0.steps[1].topLogits, q1.steps[1].topLogits), 1e-4);
}

TEST(NnGeneration, GenerationRefusesPositionsBeyondWpe) {
  auto config = smallConfig();
  config.gpt.blockSize = 8;  // EEG seconds 0…1, text from position 2: 6 positions left
  auto model = makeModel(24, config);
  const auto eeg = sample(3, 2, 6, 6);
  GenerateOptions o;
  o.maxNewTokens = 3;
  EXPECT_NO_THROW(generate(*model, eeg, prompt({kSepId, 1, 2}), o));  // positions 2…7 (last needs none)
  o.maxNewTokens = 5;
  EXPECT_THROW(generate(*model, eeg, prompt({kSepId, 1, 2}), o), std::out_of_range);
  EXPECT_THROW(model->forward(eeg, prompt({kSepId, 1, 2, 3, 4, 5, 6}), torch::Tensor()), std::out_of_range);
}

TEST(NnScoring, ChoiceLogProbabilityEqualsMinusTheTrainingLossSum) {
  auto model = makeModel(25);
  const auto eeg = sample(2, 3, 10, 7);
  const std::vector<int64_t> promptIds = {kSepId, 24361, 25};
  const std::vector<std::vector<int64_t>> choices = {{3363, 220, 50256}, {1400}, {32, 8}};
  const auto s = scoreChoices(*model, eeg, prompt(promptIds), choices);
  torch::NoGradGuard g;
  for (size_t c = 0; c < choices.size(); ++c) {
    std::vector<int64_t> text = promptIds;
    text.insert(text.end(), choices[c].begin(), choices[c].end());
    const int64_t m = 10 + static_cast<int64_t>(text.size());
    auto targets = torch::full({1, m}, -1, torch::kLong);
    for (size_t i = 0; i < choices[c].size(); ++i)
      targets[0][10 + static_cast<int64_t>(promptIds.size()) - 1 + static_cast<int64_t>(i)] = choices[c][i];
    const auto out = model->forward(eeg, prompt(text), torch::Tensor(), targets);
    const double k = static_cast<double>(choices[c].size());
    EXPECT_NEAR(s.logProb[c], -out.loss.item<double>() * k, 1e-3 * k) << c;
    EXPECT_NEAR(s.meanLogProb[c], s.logProb[c] / k, 1e-12);
  }
  int64_t best = 0;
  for (size_t c = 1; c < s.logProb.size(); ++c)
    if (s.logProb[c] > s.logProb[static_cast<size_t>(best)]) best = static_cast<int64_t>(c);
  EXPECT_EQ(s.best, best);
}

TEST(NnNeuroLm, TextPositionsStartAfterTheSampleOrTheBatchLastSecond) {
  const auto eeg = concat(sample(3, 2, 12, 8), sample(2, 4, 12, 9));
  NeuroLmConfig perSample = smallConfig();
  perSample.tokenizer.nLayer = 0;
  NeuroLmConfig batchMax = perSample;
  batchMax.textPositions = TextPositions::BatchMax;
  EXPECT_TRUE(
      torch::equal(NeuroLM(perSample)->textStart(eeg.inputTime), torch::tensor({2, 4}, torch::kLong)));
  EXPECT_TRUE(torch::equal(NeuroLM(batchMax)->textStart(eeg.inputTime), torch::tensor({4, 4}, torch::kLong)));
}

TEST(NnNeuroLm, LanguageModelLossIsTheMeanCrossEntropyOverScoredPositions) {
  const auto logits =
      torch::tensor({{{1.0f, 2.0f, 0.5f}, {0.0f, 0.0f, 9.0f}, {3.0f, -1.0f, 0.0f}}});  // [1, 3, 3]
  const auto targets = torch::tensor({{1, -1, 2}});
  const auto l = languageModelLoss(logits, targets);
  const double lse0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(0.5));
  const double lse2 = std::log(std::exp(3.0) + std::exp(-1.0) + std::exp(0.0));
  EXPECT_NEAR(l.loss.item<double>(), ((lse0 - 2.0) + (lse2 - 0.0)) / 2.0, 1e-6);
  EXPECT_EQ(l.count, 2);
  EXPECT_NEAR(l.accuracy.item<double>(), 0.5, 1e-9);  // position 0 right (argmax 1), position 2 wrong
}

TEST(NnNeuroLm, PretrainingTargetsAreEegCodesOffsetInTheOutputSpace) {
  auto model = makeModel(26);
  const auto eeg = sample(2, 3, 8, 10);
  // y[p] = code of the same channel one second later, −1 for the last second and padding (spec §4.4).
  auto y = torch::full({1, 8}, -1, torch::kLong);
  for (int64_t p = 0; p < 4; ++p) y[0][p] = 100 + 17 * p;
  torch::NoGradGuard g;
  const auto out = model->forwardEeg(eeg, torch::Tensor(), y);
  const auto logProbs = torch::log_softmax(out.logits[0].to(torch::kDouble), -1);  // [8, 58496]
  double expected = 0.0;
  for (int64_t p = 0; p < 4; ++p) expected -= logProbs[p][kEegCodeOffset + 100 + 17 * p].item<double>();
  EXPECT_NEAR(out.loss.item<double>(), expected / 4.0, 1e-4);
}

TEST(NnGeneration, SamplingRespectsTopKTopPAndSeedAndTopK1IsGreedy) {
  auto model = makeModel(27);
  const auto eeg = sample(3, 2, 12, 11);
  const auto text = prompt({kSepId, 24361, 25});
  GenerateOptions greedy;
  greedy.maxNewTokens = 6;
  const auto g = generate(*model, eeg, text, greedy);
  GenerateOptions s = greedy;
  s.sample = true;
  s.topK = 1;
  s.seed = 5;
  EXPECT_TRUE(torch::equal(generate(*model, eeg, text, s).ids, g.ids));
  s.topK = 0;
  s.topP = 1e-6;  // only the most likely token survives
  EXPECT_TRUE(torch::equal(generate(*model, eeg, text, s).ids, g.ids));
  s.topP = 1.0;
  s.topK = 3;
  s.temperature = 50.0;  // nearly uniform over the three survivors
  const auto a = generate(*model, eeg, text, s);
  EXPECT_TRUE(torch::equal(generate(*model, eeg, text, s).ids, a.ids));  // same seed, same ids
  bool leftGreedy = false;
  for (int64_t step = 0; step < 6; ++step) {
    const int64_t id = a.ids[0][3 + step].item<int64_t>();
    const auto top3 = a.steps[static_cast<size_t>(step)].topIds[0].narrow(0, 0, 3);
    EXPECT_TRUE((top3 == id).any().item<bool>())
        << "step " << step << " sampled " << id << " outside the top 3";
    leftGreedy = leftGreedy || id != top3[0].item<int64_t>();
  }
  EXPECT_TRUE(leftGreedy) << "at temperature 50 some step should pick a non-argmax token";
}

TEST(NnGeneration, StopIdAndCancellationEndGenerationEarly) {
  auto model = makeModel(28);
  const auto eeg = sample(3, 2, 12, 12);
  const auto text = prompt({kSepId, 24361, 25});
  GenerateOptions o;
  o.maxNewTokens = 6;
  const auto full = generate(*model, eeg, text, o);
  o.stopId = full.ids[0][4].item<int64_t>();  // the second generated id
  const int64_t firstHit = full.ids[0][3].item<int64_t>() == *o.stopId ? 1 : 2;
  const auto stopped = generate(*model, eeg, text, o);
  EXPECT_EQ(stopped.ids.size(1), 3 + firstHit);
  EXPECT_TRUE(torch::equal(stopped.ids, full.ids.narrow(1, 0, 3 + firstHit)));
  GenerateOptions c;
  c.maxNewTokens = 6;
  int64_t calls = 0;
  c.onToken = [&](int64_t step, const torch::Tensor& ids) {
    ++calls;
    EXPECT_EQ(ids.sizes().vec(), (std::vector<int64_t>{1}));
    EXPECT_EQ(ids[0].item<int64_t>(), full.ids[0][3 + step].item<int64_t>());
    return step < 1;  // cancel after the second token
  };
  const auto cancelled = generate(*model, eeg, text, c);
  EXPECT_TRUE(cancelled.cancelled);
  EXPECT_EQ(calls, 2);
  EXPECT_TRUE(torch::equal(cancelled.ids, full.ids.narrow(1, 0, 5)));
}

TEST(NnGpt, TextOnlyForwardIsCausal) {
  torch::manual_seed(29);
  GPT gpt(GptConfig{2, 2, 16});
  torch::NoGradGuard g;
  const auto a = gpt->textLogits(torch::tensor({{5, 6, 7, 8}}));
  const auto b = gpt->textLogits(torch::tensor({{5, 6, 9, 1}}));
  EXPECT_TRUE(torch::allclose(a.narrow(1, 0, 2), b.narrow(1, 0, 2)));
  EXPECT_FALSE(torch::allclose(a.narrow(1, 2, 1), b.narrow(1, 2, 1)));
}

TEST(NnOfficialSize, NeuroLmBPaddingShortcutAndKvCacheAgreeWithThePaddedFullComputation) {
  // 12 × 12 × 768 tokenizer and GPT-2, head dim 64; attention weights at their init scale (×10 over 24 layers
  // makes the network chaotic: float rounding alone would then move the logits).
  auto model = makeModel(30, NeuroLmConfig::B(), 1.0);
  const auto eeg = sample(5, 2, 24, 13);
  const auto text = prompt({kSepId, 24361, 25});
  torch::NoGradGuard g;
  const auto e = model->eegEmbedding(eeg);
  EXPECT_LT(maxAbs(model->eegEmbeddingRealTokens(eeg), e.narrow(1, 0, 10)), 1e-4);
  GenerateOptions full;
  full.maxNewTokens = 3;
  full.useKvCache = false;
  GenerateOptions fast;
  fast.maxNewTokens = 3;
  fast.dropEegPadding = true;
  const auto a = generate(*model, eeg, text, full);
  const auto b = generate(*model, eeg, text, fast);
  EXPECT_TRUE(torch::equal(a.ids, b.ids));
  for (size_t s = 0; s < 3; ++s)
    EXPECT_LT(maxAbs(a.steps[s].topLogits, b.steps[s].topLogits), 2e-3) << s;  // |v| ~ 60
}

TEST(NnNeuroLm, BadInputsAreRefusedWithAReason) {
  NeuroLmConfig config = smallConfig();
  config.tokenizer.nLayer = 0;
  NeuroLM model(config);
  const auto eeg = sample(2, 2, 6, 14);
  const auto expectMessage = [](const std::function<void()>& f, const std::string& part) {
    try {
      f();
      ADD_FAILURE() << "no exception, expected one mentioning '" << part << "'";
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  expectMessage([&] { model->forward(eeg, prompt({kSepId, 60000}), torch::Tensor()); }, "[0, 50304)");
  expectMessage(
      [&] {
        model->forward(eeg, prompt({kSepId, 1}), torch::ones({1, 1, 7, 7}, torch::kBool));
      },
      "M = 8");
  expectMessage(
      [&] {
        model->forward(eeg, prompt({kSepId, 1}), torch::Tensor(), torch::full({1, 7}, -1));
      },
      "targets");
  expectMessage([&] { generate(*model, eeg, torch::zeros({2, 3}, torch::kLong)); }, "batch size");
  expectMessage(
      [&] {
        generate(*model, eeg, prompt({kSepId}), {}, torch::ones({1, 1, 7, 7}, torch::kBool));
      },
      "official-quirks");
}

TEST(NnScoring, OnePrefillServesTheAnswerAndTheScoresAsSeparateCallsDo) {
  auto model = makeModel(31);
  const auto eeg = sample(3, 2, 10, 8);  // 6 real of 10: the prefill drops the padding
  const auto p = prompt({kSepId, 24361, 25, 1148});
  const std::vector<std::vector<int64_t>> choices = {{3363, 220, 50256}, {1400}};
  GenerateOptions o;
  o.maxNewTokens = 4;
  o.dropEegPadding = true;
  const auto separate = generate(*model, eeg, p, o);
  const auto separateScores = scoreChoices(*model, eeg, p, choices, /*dropEegPadding=*/true);
  const auto prefill = prefillPrompt(*model, eeg, p, /*dropEegPadding=*/true, 4);
  EXPECT_EQ(prefill.cache.length(), 6 + 4);
  const auto shared = generateFrom(*model, prefill, p, o);
  EXPECT_EQ(prefill.cache.length(), 6 + 4);  // the answer extended a copy
  const auto sharedScores = scoreChoices(*model, prefill, choices);  // after the answer wrote past it
  ASSERT_TRUE(torch::equal(shared.ids, separate.ids));
  ASSERT_EQ(sharedScores.logProb.size(), 2u);
  for (size_t i = 0; i < 2; ++i) EXPECT_NEAR(sharedScores.logProb[i], separateScores.logProb[i], 1e-4) << i;
  EXPECT_EQ(sharedScores.best, separateScores.best);
  EXPECT_THROW(generateFrom(*model, prefill, prompt({kSepId, 24361}), o), std::invalid_argument);
}
