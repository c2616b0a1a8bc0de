// Evidence of an answer (nn/Evidence.h, InferenceRuntime::evidence): gradient × input of the option's
// log-probability against a central finite difference of the same log-probability, and a model whose answer
// can only depend on one channel by construction puts all the evidence on that channel.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "common/TempDir.h"
#include "common/TestPaths.h"
#include "models/nn/Evidence.h"
#include "models/runtime/EegWindows.h"
#include "models/runtime/InferenceRuntime.h"
#include "models/runtime/ModelInit.h"
#include "models/runtime/ModelStore.h"

using namespace neurolm;
using namespace neurolm::runtime;

namespace {

constexpr const char* kPrompt = "Question: Is this EEG segment of high workload? Answer:";

// A 4-s window of a real EEGMAT recording (19 channels, 76 real tokens, 276 padded).
const preprocess::PatchGrid& window() {
  static const auto w = [] {
    const auto source = EegSource::openRecording(test::dataDir() / "eegmat" / "Subject01_1.edf");
    return source.window({20, 24}, 276);
  }();
  return w;
}

}  // namespace

// Σ_d E[v, d] · ∂log p/∂E[v, d] is the derivative of log p along E[v] itself: d/dε log p(E[v] · (1 + ε)) at
// 0.
TEST(Evidence, GradientTimesInputEqualsTheFiniteDifferenceOfTheLogProbability) {
  auto model = randomNeuroLm(neuroLmConfigForSize("tiny"), 11);
  model->to(torch::kDouble);
  model->eval();
  // 3 channels × 2 s, time-major, then 2 padding rows (skipped by the evidence).
  torch::manual_seed(5);
  nn::EegBatch eeg{torch::randn({1, 8, 200}, torch::kDouble),
                   torch::tensor({{4, 9, 17, 4, 9, 17, 136, 136}}, torch::kLong),
                   torch::tensor({{0, 0, 0, 1, 1, 1, 0, 0}}, torch::kLong),
                   torch::tensor({{1, 1, 1, 1, 1, 1, 0, 0}}, torch::kBool)};
  eeg.x.narrow(1, 6, 2).zero_();
  const auto prompt = torch::tensor({{nn::kSepId, int64_t{464}, int64_t{3290}, int64_t{25}}}, torch::kLong);
  const std::vector<int64_t> option = {3363, 13};  // two tokens: the continuation path is part of it
  const auto evidence = nn::optionEvidence(*model, eeg, prompt, option);
  ASSERT_EQ(evidence.contribution.size(0), 6);

  torch::NoGradGuard noGrad;
  const auto e = model->eegEmbeddingRealTokens(eeg);  // [1, 6, D]
  const auto time = eeg.inputTime.narrow(1, 0, 6);
  const double logP = nn::optionLogProbFromEmbedding(*model, e, time, prompt, option).item<double>();
  EXPECT_NEAR(evidence.logProb, logP, 1e-12);
  // log p(E[v] · (1 + t)) at t = ±ε, ±2ε: the five-point derivative (error O(ε⁴)). ε = 3e-2 keeps it above
  // the forward pass's noise floor (measured: a two-point step of 1e-6 is off by up to 60 %, 3e-3 by 0.5 %).
  const double eps = 3e-2;
  const auto logPAt = [&](int64_t v, double t) {
    auto moved = e.clone();
    moved[0][v].mul_(1 + t);
    return nn::optionLogProbFromEmbedding(*model, moved, time, prompt, option).item<double>();
  };
  double largest = 0;
  for (int64_t v = 0; v < 6; ++v) {
    const double fd =
        (8 * (logPAt(v, eps) - logPAt(v, -eps)) - (logPAt(v, 2 * eps) - logPAt(v, -2 * eps))) / (12 * eps);
    const double gi = evidence.contribution[v].item<double>();
    EXPECT_NEAR(gi, fd, 1e-3 * std::abs(fd) + 1e-12) << "token " << v;
    largest = std::max(largest, std::abs(fd));
  }
  EXPECT_GT(largest, 1e-4);  // the test is not comparing zeros
}

// Only channel k can move the answer: encode_transform_layer zeroed (GELU(0) = 0, so the EEG signal of no
// channel reaches E) and every pos_embed row zeroed except channel k's: E = 0 for every other token, E =
// pos_embed[k] for channel k's four tokens. The other tokens still reach GPT-2 through wpe (their seconds),
// but nothing of their own EEG does.
TEST(Evidence, AnAnswerThatDependsOnOneChannelPutsAllItsEvidenceThere) {
  test::TempDir dir("evidence");
  initRandomModel({"neurolm", "tiny", 7, dir / "raw.safetensors"});
  auto lm = loadNeuroLm(dir / "raw.safetensors");
  const auto& w = window();
  const size_t channelRow = 5;
  const int32_t vocab = w.inputChans[channelRow];
  {
    torch::NoGradGuard noGrad;
    for (auto& p : lm.model->named_parameters()) {
      if (p.key().rfind("encode_transform_layer.", 0) == 0) p.value().zero_();
      if (p.key() == "pos_embed.weight") {
        const auto keep = p.value()[vocab].clone();
        p.value().zero_();
        p.value()[vocab].copy_(keep);
      }
    }
  }
  saveNeuroLm(*lm.model, dir / "one-channel.safetensors", {});
  RuntimeOptions o;
  o.neuroLmPath = dir / "one-channel.safetensors";
  o.bpeDir = test::resourcesDir() / "tokenizer" / "gpt2";
  o.device = "cpu";
  InferenceRuntime rt(o);

  const auto r = rt.evidence(w, kPrompt, " Yes").get();
  ASSERT_EQ(r.tokens.size(), w.realTokenCount());  // 76: the 200 padding rows are skipped
  // The top four (channel k's 4 seconds) are channel k's, with all of the share; every other token has none.
  std::set<int64_t> seconds;
  double shareOfK = 0;
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(r.tokens[i].channelRow, static_cast<int64_t>(channelRow)) << "rank " << i;
    EXPECT_EQ(r.tokens[i].vocabIndex, vocab);
    EXPECT_EQ(r.tokens[i].token, r.tokens[i].second * 19 + static_cast<int64_t>(channelRow));
    EXPECT_GT(r.tokens[i].score, 0.0);
    seconds.insert(r.tokens[i].second);
    shareOfK += r.tokens[i].share;
  }
  EXPECT_EQ(seconds, (std::set<int64_t>{0, 1, 2, 3}));
  EXPECT_NEAR(shareOfK, 1.0, 1e-12);
  for (size_t i = 4; i < r.tokens.size(); ++i) EXPECT_EQ(r.tokens[i].score, 0.0) << "rank " << i;
  // The log-probability is the ask path's (KV-cache prefill without padding) option score.
  AskOptions ask;
  ask.maxNewTokens = 1;
  ask.choices = {" Yes", " No"};
  EXPECT_NEAR(r.logProb, rt.ask(w, kPrompt, ask).get().choices[0].logProb, 1e-4);
}

// On the unmodified model the evidence is spread over channels, shares sum to 1, rows are ranked, and the
// names and seconds match the window's grid.
TEST(Evidence, RuntimeRowsAreRankedNamedAndNormalised) {
  test::TempDir dir("evidence-raw");
  initRandomModel({"neurolm", "tiny", 7, dir / "raw.safetensors"});
  RuntimeOptions o;
  o.neuroLmPath = dir / "raw.safetensors";
  o.bpeDir = test::resourcesDir() / "tokenizer" / "gpt2";
  o.device = "cpu";
  InferenceRuntime rt(o);
  const auto& w = window();
  const auto r = rt.evidence(w, kPrompt, " No").get();
  ASSERT_EQ(r.tokens.size(), 76u);
  double total = 0;
  std::set<int64_t> rows;
  for (size_t i = 0; i < r.tokens.size(); ++i) {
    const auto& t = r.tokens[i];
    total += t.share;
    if (i > 0) {
      EXPECT_GE(r.tokens[i - 1].score, t.score);
    }
    EXPECT_NEAR(t.score, std::abs(t.contribution), 0.0);
    EXPECT_EQ(t.second, w.inputTime[static_cast<size_t>(t.token)]);
    EXPECT_EQ(t.vocabIndex, w.inputChans[static_cast<size_t>(t.token)]);
    EXPECT_FALSE(t.channelName.empty());
    if (i < 10) rows.insert(t.channelRow);
  }
  EXPECT_NEAR(total, 1.0, 1e-9);
  EXPECT_GT(rows.size(), 1u);  // a random model looks at more than one channel
}
