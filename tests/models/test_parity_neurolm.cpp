// NeuroLM parity: the official fixture checkpoint (0-block tokenizer, 2-layer/2-head/8-wide GPT-2) through
// our modules vs the official outputs (../shared/parity/neurolm, tolerances of its README).
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/TestPaths.h"
#include "core/io/Npy.h"
#include "models/io/StateDict.h"
#include "models/io/TorchCheckpoint.h"
#include "models/nn/Configs.h"
#include "models/nn/Generation.h"
#include "models/nn/NeuroLm.h"

using namespace neurolm;
using namespace neurolm::nn;

namespace {

std::filesystem::path lmDir() { return test::parityDir() / "neurolm"; }

torch::Tensor loadNpy(const std::string& name) {
  const auto a = readNpy(lmDir() / name);
  const std::vector<int64_t> shape(a.shape.begin(), a.shape.end());
  switch (a.type) {
    case NpyType::Bool:
      return torch::tensor(a.toInt64()).view(shape).to(torch::kBool);
    case NpyType::Int32:
      return torch::tensor(a.toInt64()).view(shape).to(torch::kInt);
    case NpyType::Int64:
      return torch::tensor(a.toInt64()).view(shape);
    default:
      return torch::tensor(a.toFloat()).view(shape);
  }
}

void expectClose(const std::string& what, const torch::Tensor& ours, const torch::Tensor& official,
                 double tol) {
  ASSERT_EQ(ours.sizes().vec(), official.sizes().vec()) << what;
  const double d = (ours.to(torch::kDouble) - official.to(torch::kDouble)).abs().max().item<double>();
  std::cout << "[parity] " << what << " max|d| = " << d << " (tolerance " << tol << ")\n";
  EXPECT_LE(d, tol) << what;
}

struct LmFixture {
  NeuroLM model{nullptr};
  nlohmann::json outputs;
  EegBatch eeg;
};

LmFixture& fixture() {
  static LmFixture f = [] {
    torch::set_num_threads(2);
    const auto path = lmDir() / "ckpt.pt";
    const auto ckpt = readTorchCheckpoint(path);
    LmFixture v;
    v.model = NeuroLM(neuroLmConfigFromCheckpoint(ckpt.modelArgs, ckpt.modelTensors));
    loadStateDict(*v.model, ckpt.modelTensors, path.string());
    v.model->eval();
    std::ifstream in(lmDir() / "outputs.json");
    v.outputs = nlohmann::json::parse(in);
    v.eeg = {loadNpy("input_x_eeg.npy"), loadNpy("input_chans.npy"), loadNpy("input_time.npy"),
             loadNpy("input_eeg_mask.npy")};
    return v;
  }();
  return f;
}

// Per-step top-5 ids identical and logits within tolerance of outputs.json[key]["steps"].
void expectSteps(const std::string& mode, const GenerateResult& r, const nlohmann::json& reference,
                 double tol) {
  const auto& steps = reference["steps"];
  ASSERT_EQ(r.steps.size(), steps.size());
  for (size_t s = 0; s < steps.size(); ++s) {
    const auto ids = torch::tensor(steps[s]["top5_ids"].get<std::vector<int64_t>>());
    const auto logits = torch::tensor(steps[s]["top5_logits"].get<std::vector<double>>());
    EXPECT_TRUE(torch::equal(r.steps[s].topIds[0], ids)) << mode << " step " << s;
    expectClose(mode + " step " + std::to_string(s) + " top-5 logits", r.steps[s].topLogits[0], logits, tol);
  }
}

}  // namespace

TEST(ParityNeuroLm, ConfigIsInferredFromTheCheckpoint) {
  const auto& c = fixture().model->config();
  EXPECT_EQ(c.tokenizer.nLayer, 0);  // inferred from the absence of tokenizer.blocks.*
  EXPECT_EQ(c.gpt.nLayer, 2);
  EXPECT_EQ(c.gpt.nHead, 2);
  EXPECT_EQ(c.gpt.nEmbd, 8);
  EXPECT_TRUE(fixture().model->hasTransformLayer());
}

TEST(ParityNeuroLm, EegEmbeddingHiddenStatesAndLogitsMatch) {
  auto& f = fixture();
  torch::NoGradGuard g;
  const auto e = f.model->eegEmbedding(f.eeg);
  expectClose("neurolm eeg_embedding_E", e, loadNpy("eeg_embedding_E.npy"), 1e-4);
  expectClose("neurolm fast path eeg_embedding_E rows 0-75", f.model->eegEmbeddingRealTokens(f.eeg),
              loadNpy("eeg_embedding_E.npy").narrow(1, 0, 76), 1e-4);
  const auto text = loadNpy("eval_x_text.npy");
  const auto out = f.model->forward(f.eeg, text, loadNpy("eval_gpt_mask.npy"));
  expectClose("neurolm eval_hidden_ln_f", out.hidden, loadNpy("eval_hidden_ln_f.npy"), 1e-4);
  expectClose("neurolm eval_logits_last", out.logits, loadNpy("eval_logits_last.npy"), 1e-3);
  // Our own mask (built from input_time / input_eeg_mask) gives the same result.
  const auto own = f.model->forward(f.eeg, text, torch::Tensor());
  EXPECT_TRUE(torch::equal(own.logits, out.logits));
  EXPECT_EQ(f.model->textStart(f.eeg.inputTime)[0].item<int64_t>(),
            f.outputs["text_position_offset_t0_plus_1"].get<int64_t>());
}

TEST(ParityNeuroLm, TrainingForwardLossLogitsAndArgmaxMatch) {
  auto& f = fixture();
  torch::NoGradGuard g;
  const auto text = loadNpy("train_x_text.npy");
  const auto targets = torch::cat({torch::full({1, 276}, -1, torch::kLong), loadNpy("train_y_text.npy")}, 1);
  const auto out = f.model->forward(f.eeg, text, loadNpy("train_gpt_mask.npy"), targets);
  const double loss = out.loss.item<double>();
  const double ref = f.outputs["train_loss"].get<double>();
  std::cout << "[parity] neurolm train loss ours " << loss << " official " << ref << " rel "
            << std::abs(loss - ref) / ref << "\n";
  EXPECT_LE(std::abs(loss - ref) / ref, 1e-5);
  EXPECT_DOUBLE_EQ(out.accuracy.item<double>(), f.outputs["train_accuracy"].get<double>());
  const auto positions = f.outputs["train_target_positions_in_sequence"].get<std::vector<int64_t>>();
  const auto at = out.logits.index_select(1, torch::tensor(positions));
  expectClose("neurolm train logits at target positions", at, loadNpy("train_logits_at_target_positions.npy"),
              1e-3);
  const auto argmax = out.logits.argmax(-1);
  const auto refArgmax = loadNpy("train_argmax_all_positions.npy");
  EXPECT_TRUE(torch::equal(argmax, refArgmax))
      << (argmax != refArgmax).sum().item<int64_t>() << " positions differ";
}

TEST(ParityNeuroLm, OfficialQuirkGenerateReproducesIdsAndPerStepLogits) {
  auto& f = fixture();
  GenerateOptions o;
  o.officialQuirks = true;
  const auto r = generate(*f.model, f.eeg, loadNpy("eval_x_text.npy"), o, loadNpy("eval_gpt_mask.npy"));
  EXPECT_TRUE(torch::equal(r.ids, loadNpy("generate_official_ids.npy")));
  expectSteps("official generate", r, f.outputs["generate_official"], 1e-3);
  // Built mask instead of the loader's: identical.
  const auto own = generate(*f.model, f.eeg, loadNpy("eval_x_text.npy"), o);
  EXPECT_TRUE(torch::equal(own.steps.back().topLogits, r.steps.back().topLogits));
}

TEST(ParityNeuroLm, CorrectGreedyDecodeMatchesWithAndWithoutCacheAndPaddingShortcut) {
  auto& f = fixture();
  const auto prompt = loadNpy("eval_x_text.npy");
  const auto reference = loadNpy("generate_causal_greedy_ids.npy");
  for (const auto& [name, cache, drop] : {std::tuple{"kv cache", true, false},
                                          {"full recomputation", false, false},
                                          {"kv cache + padding shortcut", true, true}}) {
    GenerateOptions o;
    o.useKvCache = cache;
    o.dropEegPadding = drop;
    const auto r = generate(*f.model, f.eeg, prompt, o);
    EXPECT_TRUE(torch::equal(r.ids, reference)) << name;
    expectSteps(std::string("correct generate (") + name + ")", r, f.outputs["generate_causal_greedy"], 1e-3);
  }
}

TEST(ParityNeuroLm, ChoiceScoresEqualTheOfficialLogitsLogSoftmax) {
  auto& f = fixture();
  torch::NoGradGuard g;
  // Single token: log_softmax of the official last-position logits of the eval sequence.
  const auto evalLogProbs = torch::log_softmax(loadNpy("eval_logits_last.npy")[0][0].to(torch::kDouble), -1);
  // Three tokens " Yes", " ", <|endoftext|>: the official training logits at positions 288-290 (same causal
  // rows).
  const auto trainLogProbs =
      torch::log_softmax(loadNpy("train_logits_at_target_positions.npy")[0].to(torch::kDouble), -1);
  const auto s =
      scoreChoices(*f.model, f.eeg, loadNpy("eval_x_text.npy"), {{3363}, {1400}, {3363, 220, 50256}});
  ASSERT_EQ(s.logProb.size(), 3u);
  EXPECT_NEAR(s.logProb[0], evalLogProbs[3363].item<double>(), 1e-3);
  EXPECT_NEAR(s.logProb[1], evalLogProbs[1400].item<double>(), 1e-3);
  const double three = trainLogProbs[0][3363].item<double>() + trainLogProbs[1][220].item<double>() +
                       trainLogProbs[2][50256].item<double>();
  EXPECT_NEAR(s.logProb[2], three, 1e-3);
  std::cout << "[parity] choice log-probs " << s.logProb[0] << " " << s.logProb[1] << " " << s.logProb[2]
            << " (official logits: " << evalLogProbs[3363].item<double>() << " "
            << evalLogProbs[1400].item<double>() << " " << three << ")\n";
  EXPECT_EQ(s.best, s.logProb[0] >= s.logProb[1] ? (s.logProb[0] >= s.logProb[2] ? 0 : 2)
                                                 : (s.logProb[1] >= s.logProb[2] ? 1 : 2));
  // What the runtime scores with: the EEG prefix without its padding gives the same log-probabilities.
  const auto dropped = scoreChoices(*f.model, f.eeg, loadNpy("eval_x_text.npy"), {{3363}, {1400}, {3363, 220, 50256}},
                                    /*dropEegPadding=*/true);
  for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(dropped.logProb[i], s.logProb[i], 1e-3) << i;
  EXPECT_EQ(dropped.best, s.best);
}
